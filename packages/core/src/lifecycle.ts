/**
 * One lifecycle for every service of the stack (after js-libp2p's `Startable`): construct with
 * options, which are checked and resolved once and open nothing; `start()` opens sockets and
 * starts timers, and resolves once the service runs; `stop()` closes every socket and timer the
 * service opened, and may be called any number of times. Work that can be cancelled takes an
 * `AbortSignal`.
 */
export interface Startable {
  start(): Promise<void>
  stop(): Promise<void>
}

/** Starts `service` and returns it: `const udp = await started(new UDPv4(options))`. */
export async function started<T extends Startable>(service: T): Promise<T> {
  await service.start()
  return service
}
