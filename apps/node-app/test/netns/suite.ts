import { describe, it } from 'vitest'
import { netnsRequired, netnsSkipReason } from './netns.js'

/**
 * A describe block that runs only where network namespaces can be made: elsewhere it is
 * skipped with the reason in its title, or fails with it when X_REQUIRE_NETNS=1 (CI).
 */
export function netnsDescribe(
  title: string,
  body: () => void,
  options: { iptables?: boolean } = {},
): void {
  const why = netnsSkipReason(options)
  if (why === undefined) {
    describe(title, body)
  } else if (netnsRequired) {
    describe(title, () => {
      it('needs network namespaces (X_REQUIRE_NETNS=1)', () => {
        throw new Error(`cannot run: ${why}`)
      })
    })
  } else {
    describe.skip(`${title} — skipped: ${why}`, body)
  }
}
