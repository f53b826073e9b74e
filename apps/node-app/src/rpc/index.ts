export { adminMethods, type RpcNode } from './admin.js'
export {
  handleRpc,
  RpcError,
  type RpcMethod,
  rpcErrorCodes,
  rpcHttpHandler,
  rpcLimits,
} from './jsonrpc.js'
