import { createSocket } from 'node:dgram'
import { isIPv4, isIPv6 } from 'node:net'
import { normalizeIp } from '@x/core'
import type { DatagramTransport, UdpAddress } from './transport.js'

/**
 * Binds a real UDP socket (udp6 for an IPv6 host, else udp4). Port 0 picks a free port.
 * `recvBufferSize` is asked of the OS (which may grant less, e.g. Linux's net.core.rmem_max);
 * the transport's `recvBufferSize` is what it granted.
 */
export function bindUdp(options: {
  host: string
  port: number
  recvBufferSize?: number
}): Promise<DatagramTransport> {
  const v6 = isIPv6(options.host)
  const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: false })
  // A dual-stack udp6 socket reaches IPv4 peers at their IPv4-mapped address.
  const target = (ip: string) => (v6 && isIPv4(ip) ? `::ffff:${ip}` : ip)
  let onMessage: (data: Uint8Array, from: UdpAddress) => void = () => {}
  let onError: (error: Error) => void = () => {}
  return new Promise((resolve, reject) => {
    // A failed bind (port in use, bad address) closes the socket: no handle outlives the error.
    const onBindError = (error: Error) => {
      socket.close()
      reject(error)
    }
    socket.once('error', onBindError)
    socket.bind(options.port, options.host, () => {
      socket.off('error', onBindError)
      const bound = socket.address()
      let recvBufferSize: number | undefined
      try {
        if (options.recvBufferSize !== undefined) socket.setRecvBufferSize(options.recvBufferSize)
      } catch {
        // Refused (e.g. above a hard limit): the default buffer stays.
      }
      try {
        recvBufferSize = socket.getRecvBufferSize()
      } catch {}
      socket.on('error', (e) => onError(e))
      socket.on('message', (msg, rinfo) => {
        let ip: string
        try {
          ip = normalizeIp(rinfo.address)
        } catch {
          return
        }
        onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
          ip,
          port: rinfo.port,
        })
      })
      let closed: Promise<void> | undefined
      resolve({
        address: { ip: normalizeIp(bound.address), port: bound.port },
        ...(recvBufferSize !== undefined && { recvBufferSize }),
        send(data, to) {
          if (closed) return
          socket.send(data, to.port, target(to.ip), (err) => {
            if (err) onError(err)
          })
        },
        onMessage(h) {
          onMessage = h
        },
        onError(h) {
          onError = h
        },
        close() {
          closed ??= new Promise((r) => socket.close(() => r()))
          return closed
        },
      })
    })
  })
}
