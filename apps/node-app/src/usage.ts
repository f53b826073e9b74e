/** node-app's `--help` text: every flag, its meaning and default (the options `parseConfig` takes). */
export const usage = `Usage: node-app [options]

  --datadir <dir>              where the node key and database live (default: ./data)
  --port <n>                   TCP listening port, also UDP unless --discport (default: 30303)
  --discport <n>               UDP discovery port (default: same as --port)
  --addr <ip>                  address to listen on, TCP and UDP (default: all interfaces,
                               IPv6 and IPv4 where the host has IPv6)
  --nat <mode>                 how the advertised endpoint is found: none | extip:<IP> | any |
                               upnp | pmp | pmp:<gateway IP> (default: none; the IP is then
                               learned from what peers see)
  --extip <ip>                 same as --nat extip:<ip> (advertised only, never bound)
  --nodekey <file>             node key file (hex); default <datadir>/nodekey, made if missing
  --nodekeyhex <hex>           node key as hex (for testing)
  --identity <name>            custom node name in the client id of our hello
  --maxpendpeers <n>           maximum pending connection attempts (default: 0 = 50)
  --bootnodes <urls>           comma-separated enode:// URLs (host names allowed) or enr: records
                               (default: the network's built-in list; none on the devnet)
  --nodiscover                 disable discovery (no UDP)
  --v5disc                     run discovery v5 beside v4, on the same UDP port
  --bootnodesv5 <records>      comma-separated enr: records, discovery v5's entry points
  --maxpeers <n>               maximum number of peers (default: 50)
  --nodial                     accept inbound peers only
  --static <file>              file of enode URLs to stay connected to
  --trusted <file>             file of enode URLs always allowed in, even when full
  --netrestrict <cidrs>        comma-separated CIDR allow-list for peers
  --network <name>             devnet | mainnet | sepolia | hoodi (default: devnet, a local
                               network that contacts nothing outside this machine)
  --genesis <file>             a geth genesis.json: its chain instead of --network (network
                               id: its config.chainId)
  --import <file>              import a chain file (RLP blocks, as \`geth export\` writes) on
                               top of the genesis at start, then serve it
  --discovery.dns <urls>       comma-separated enrtree:// DNS discovery trees; "" disables
                               (default: the network's tree; none on the devnet)
  --follow                     catch up with peers whose chain is ahead: fetch their headers
                               and bodies and import them (default: on for a chain without
                               forks after genesis, such as devnet)
  --networkid <n>              eth network id (default: the network's)
  --http                       serve the admin JSON-RPC API (POST /) next to the health
                               endpoints (default address 127.0.0.1:8545)
  --http.addr <ip>             serve /healthz, /readyz, /health/peers (default: 127.0.0.1)
  --http.port <n>              port of the HTTP endpoints (enables the health ones; default 8545)
  --metrics                    serve Prometheus metrics on /metrics (default 127.0.0.1:6060)
  --metrics.addr <ip>          address of the metrics endpoint (enables it; default 127.0.0.1)
  --metrics.port <n>           port of the metrics endpoint (enables it; default 6060)
  --heartbeat.target <enode>   send heartbeats to this aggregator
  --heartbeat.period <dur>     heartbeat period, e.g. 10s (default: 10s)
  --heartbeat.nickname <name>  nickname in heartbeats (default: none)
  --aggregator                 run a heartbeat aggregator on this node
  --aggregator.http.port <n>   port of the aggregator's HTTP API (default: 0 = any)
  --verbosity <0-5>            0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 debug and stack
                               traces of fatal errors (default: 3)
  --loglevel <level>           debug | info | warn | error: the same as --verbosity 4 | 3 | 2 | 1
  --log.format <format>        json | logfmt | terminal (default: terminal on a TTY, else json)
  --config <file.toml>         read flags from a TOML file (key = flag name without --);
                               flags given on the command line override it
  -h, --help                   show this help

Commands:
  node-app dumpconfig [options]  print the effective config as TOML (for --config) and exit

Discovery table timing (devnets, tests; defaults are go-ethereum's):
  --discovery.revalidate <dur> mean time between liveness pings of table nodes (default: 10s)
  --discovery.copy <dur>       how often live table nodes are saved to the node database (default: 30s)
  --discovery.seedtime <dur>   time a node must be live in the table before it is saved as a
                               seed for the next start (default: 5m)
  --discovery.minstatements <n> Pongs from distinct hosts that must name the same endpoint
                               before it is advertised (default: 10)
`
