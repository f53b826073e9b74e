import { constants } from 'node:fs'
import { access, mkdir, realpath, rm, stat, statfs, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { NodeConfig } from './config.js'
import { FatalError } from './fatal.js'

// Kernel filesystems: writes there do not store data (or reach the kernel instead).
const kernelFs = ['/proc', '/sys', '/dev']

/**
 * Pseudo filesystems by their statfs type (Linux's magic.h), wherever they are mounted (a
 * procfs bind-mounted elsewhere, cgroup, debugfs…): none stores files. devtmpfs reports tmpfs's
 * magic, so /dev is known by its path only.
 */
const pseudoFsTypes: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6e736673, 'nsfs'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0xf97cff8c, 'selinuxfs'],
  [0x43415d53, 'smackfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x958458f6, 'hugetlbfs'],
])

/** The pseudo filesystem `path` (an existing path) is on, if it is on one. */
export async function pseudoFilesystem(path: string): Promise<string | undefined> {
  try {
    return pseudoFsTypes.get(Number((await statfs(path)).type))
  } catch {
    // No statfs (not Linux, or the call failed): the path checks still apply.
    return undefined
  }
}

const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`)

/** The deepest existing ancestor of `path`, symlinks resolved. */
async function existingAncestor(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return await realpath(p)
    } catch {
      if (dirname(p) === p) return p
    }
  }
}

/**
 * The data directory is a directory this process can write, on disk: created when missing, and
 * a file written and removed in it — so that a bad `--datadir` fails before anything starts,
 * not half-way (the node key, then the node database).
 */
async function checkDatadir(dir: string): Promise<void> {
  const real = await existingAncestor(dir)
  const kernel = kernelFs.find((root) => under(real, root) || under(dir, root))
  if (kernel) {
    throw new FatalError(
      `--datadir ${dir} is inside ${kernel}, a kernel filesystem`,
      'choose a directory on disk, e.g. --datadir ./data',
    )
  }
  const pseudo = await pseudoFilesystem(real)
  if (pseudo) {
    throw new FatalError(
      `--datadir ${dir} is on a ${pseudo} filesystem (${real}), a kernel filesystem`,
      'choose a directory on disk, e.g. --datadir ./data',
    )
  }
  const info = await stat(dir).catch(() => undefined)
  if (info && !info.isDirectory()) {
    throw new FatalError(
      `--datadir ${dir} is a file, not a directory`,
      'give a directory (it is created if missing)',
    )
  }
  try {
    await mkdir(dir, { recursive: true })
    const probe = join(dir, `.write-test-${process.pid}`)
    await writeFile(probe, '')
    await rm(probe)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new FatalError(
      `--datadir ${dir} is not writable (${code})`,
      'fix its permissions, or choose a directory this user owns',
      { cause: err },
    )
  }
}

async function checkFile(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined) return
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => err)
  if (info instanceof Error) {
    const what = info.code === 'ENOENT' ? 'does not exist' : `cannot be read (${info.code})`
    throw new FatalError(
      `${flag} file ${path} ${what}`,
      'check the path (a relative path counts from the directory the command was run in)',
    )
  }
  if (!info.isFile()) {
    throw new FatalError(`${flag} ${path} is not a file`, `give ${flag} a file`)
  }
  try {
    await access(path, constants.R_OK)
  } catch {
    throw new FatalError(`${flag} file ${path} cannot be read`, 'fix its permissions')
  }
}

/** Every check that needs no network: run before anything starts. Throws a `FatalError`. */
export async function preflight(config: NodeConfig): Promise<void> {
  // Files first: a start that fails on them does not leave a new datadir behind.
  await checkFile(config.staticFile, '--static')
  await checkFile(config.trustedFile, '--trusted')
  await checkFile(config.genesis, '--genesis')
  await checkFile(config.importFile, '--import')
  await checkDatadir(config.datadir)
}

/**
 * The directory relative paths count from: where the user typed the command. `pnpm --filter
 * node-app start -- --datadir ./data` runs the script in apps/node-app; pnpm (as npm) puts the
 * directory it was invoked in into `INIT_CWD`. Only trusted for our own `start` script, since
 * every child of any package script inherits `INIT_CWD`.
 */
export function invocationDir(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const ours = env.npm_lifecycle_event === 'start' && env.npm_package_name === 'node-app'
  return ours && env.INIT_CWD ? env.INIT_CWD : cwd
}
