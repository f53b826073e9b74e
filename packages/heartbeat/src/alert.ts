/** How a node looks to the aggregator. */
export type NodeState = 'ok' | 'silent' | 'behind'

/** What an alert says: a node went silent, fell behind, or is back to normal. */
export type AlertKind = 'silent' | 'behind' | 'recovered'

/** A typed alert, as logged, handed to handlers and POSTed to the webhook (JSON). */
export interface HeartbeatAlert {
  kind: AlertKind
  /** The node's ID (128 hex). */
  nodeId: string
  nickname: string
  /** When the alert was raised (ms since the epoch, aggregator's clock). */
  at: number
  /** One line for humans. */
  message: string
  /** `silent`: ms since the node's last beat. */
  silentFor?: number
  /** `behind` and `recovered`: the node's height and the highest height seen. */
  height?: number
  highest?: number
  /** `recovered`: the state the node left. */
  from?: Exclude<NodeState, 'ok'>
}

/** Receives every alert; may be async (its rejection is logged, never thrown). */
export type AlertHandler = (alert: HeartbeatAlert) => void | Promise<void>
