#!/usr/bin/env bash
# Local infrastructure without Docker (design.md §9): a single-node KRaft Apache Kafka 3.9.1 and a
# throwaway PostgreSQL 15 cluster, both on free loopback ports, all state in one instance directory.
#
#   bash infra/local-infra.sh start [--owner-pid PID]   start what is not running, print the env lines
#   bash infra/local-infra.sh stop | purge              stop both (purge also deletes the instance dir)
#   bash infra/local-infra.sh kafka-stop | kafka-start  only the broker, same ports and data
#   bash infra/local-infra.sh pg-stop | pg-start        only PostgreSQL, same port and data
#   bash infra/local-infra.sh status | env | logs [LINES]
#
# Instance directory: $INFRA_DIR, default <repo>/.infra/default. Two instances with different
# directories can run at once. Logs go to stderr; `start` prints only the env lines on stdout:
#   KAFKA_BROKERS=127.0.0.1:<port>
#   DATABASE_URL=postgres://postgres:postgres@127.0.0.1:<port>/payments
# --owner-pid PID (or INFRA_OWNER_PID): a detached watchdog stops the instance when PID exits.
# Tunables: KAFKA_READY_TIMEOUT=90, PG_READY_TIMEOUT=60, STOP_TIMEOUT=20 (seconds before SIGKILL).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT="$REPO_ROOT/infra/local-infra.sh"
KAFKA_VERSION=3.9.1
KAFKA_LIBS="$REPO_ROOT/.infra/kafka-libs-$KAFKA_VERSION"
KAFKA_LOG4J="$REPO_ROOT/infra/kafka/log4j.properties"
KAFKA_READY_TIMEOUT=${KAFKA_READY_TIMEOUT:-90}
PG_READY_TIMEOUT=${PG_READY_TIMEOUT:-60}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
PG_DATABASE=payments
PG_PASSWORD=postgres

INFRA_DIR=${INFRA_DIR:-$REPO_ROOT/.infra/default}
# Pid files, config and the watchdog all need an absolute path that means the same from any cwd.
[[ $INFRA_DIR == /* ]] || INFRA_DIR="$PWD/$INFRA_DIR"
INFRA_DIR=${INFRA_DIR%/}
export INFRA_DIR

KAFKA_DIR="$INFRA_DIR/kafka"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
PORTS_FILE="$INFRA_DIR/ports"
ENV_FILE="$INFRA_DIR/env"
WATCHDOG_PIDFILE="$INFRA_DIR/watchdog.pid"

log() { printf '[local-infra %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
now_ms() { date +%s%3N; }
elapsed() {
  local ms=$(($(now_ms) - $1))
  printf "%d.%01ds" $((ms / 1000)) $((ms % 1000 / 100))
}

# ---------------------------------------------------------------------------------------------
# Processes. We never trust a pid file alone: the number may have been reused by an unrelated
# process after a crash or reboot, so the command line must also name this instance.

# True when PID runs (not a zombie) and its command line contains PATTERN.
proc_matches() {
  local pid=$1 pattern=$2 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

pid_alive() {
  local state
  state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# Sends SIGNAL, waits up to STOP_TIMEOUT seconds, then SIGKILLs the process and its process group
# (every process we start is a session leader, so its group is exactly what it spawned).
stop_process() {
  local pid=$1 pattern=$2 name=$3 signal=$4 i
  proc_matches "$pid" "$pattern" || return 0
  log "stopping $name (pid $pid, SIG$signal)"
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    proc_matches "$pid" "$pattern" || return 0
    sleep 0.1
  done
  log "$name did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
  if [[ $(ps -o pgid= -p "$pid" | tr -d ' ') == "$pid" ]]; then
    kill -KILL -- "-$pid" 2>/dev/null || true
  else
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for ((i = 0; i < 50; i++)); do
    proc_matches "$pid" "$pattern" || return 0
    sleep 0.1
  done
  die "$name (pid $pid) survived SIGKILL"
}

# Starts a command in its own session (so a Ctrl-C or SIGHUP aimed at the caller's process group
# does not hit it) with stdio on OUT. The child writes its own pid before exec'ing, which stays
# right even if setsid has to fork. Fds 8/9 are our locks: a long-lived child must not inherit them.
spawn_detached() {
  local pidfile=$1 out=$2 i
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$ and $@ are the child's own
  setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
    </dev/null >>"$out" 2>&1 8>&- 9>&- &
  for ((i = 0; i < 100; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.05
  done
  die "could not spawn: $*"
}

# Serialises commands on one instance (start vs. the watchdog's stop, two `start`s at once).
lock_instance() {
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/.lock"
  flock -w 300 9 || die "instance $INFRA_DIR is locked by another command"
}

# ---------------------------------------------------------------------------------------------
# Ports: chosen once per instance and kept in $PORTS_FILE, so kafka-start / pg-start come back on
# the same addresses. We pick random free ports *below* the kernel's ephemeral range: a port from
# there could be taken as the source port of some outgoing connection while the broker is stopped,
# and then the restart on the same port would fail.

load_ports() {
  [[ -f $PORTS_FILE ]] || return 1
  # shellcheck disable=SC1090
  source "$PORTS_FILE"
}

pick_ports() {
  local eph_low hi taken
  eph_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  hi=$((eph_low - 1))
  ((hi - 20000 >= 1000)) || hi=60999
  # Ports recorded by sibling instances may be free only because that instance is stopped right now.
  taken=$(cat "$REPO_ROOT"/.infra/*/ports "$(dirname "$INFRA_DIR")"/*/ports 2>/dev/null |
    sed -n 's/^[A-Z_]*PORT=//p' | tr '\n' ',' || true)
  PORT_RANGE="20000-$hi" TAKEN_PORTS="$taken" node -e '
    const net = require("net");
    const [lo, hi] = process.env.PORT_RANGE.split("-").map(Number);
    const taken = new Set(process.env.TAKEN_PORTS.split(",").filter(Boolean).map(Number));
    const free = (port) => new Promise((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
    });
    (async () => {
      const picked = [];
      for (let tries = 0; picked.length < 3 && tries < 500; tries++) {
        const port = lo + Math.floor(Math.random() * (hi - lo + 1));
        if (!taken.has(port) && !picked.includes(port) && (await free(port))) picked.push(port);
      }
      if (picked.length < 3) { console.error("no free ports in " + lo + "-" + hi); process.exit(1); }
      console.log(picked.join(" "));
    })();
  '
}

ensure_ports() {
  load_ports && return 0
  local ports
  ports=$(pick_ports) || die "could not pick free ports"
  read -r KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT <<<"$ports"
  printf 'KAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nPG_PORT=%s\n' \
    "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$PG_PORT" >"$PORTS_FILE.tmp"
  mv "$PORTS_FILE.tmp" "$PORTS_FILE"
  log "ports: kafka $KAFKA_PORT, kafka controller $KAFKA_CONTROLLER_PORT, postgres $PG_PORT"
}

write_env() {
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nDATABASE_URL=postgres://postgres:%s@127.0.0.1:%s/%s\n' \
    "$KAFKA_PORT" "$PG_PASSWORD" "$PG_PORT" "$PG_DATABASE" >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------------------------------------
# Kafka

# The jars are shared by all instances of this checkout; ~/.m2 is the download cache. Download into
# a temp dir and rename, so a half-finished copy never looks like a cached one.
ensure_kafka_libs() {
  [[ -f $KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar ]] && return 0
  mkdir -p "$REPO_ROOT/.infra"
  exec 8>"$REPO_ROOT/.infra/.kafka-libs.lock"
  flock -w 600 8 || die "timed out waiting for another Kafka jar download"
  if [[ ! -f $KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar ]]; then
    local tmp="$KAFKA_LIBS.tmp.$$" t0
    t0=$(now_ms)
    log "fetching Kafka $KAFKA_VERSION jars with Maven"
    rm -rf "$tmp"
    mvn -B -q -f "$REPO_ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >&2 ||
      die "mvn could not fetch the Kafka jars (see above)"
    [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "mvn ran but kafka_2.13-$KAFKA_VERSION.jar is missing"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    log "Kafka jars ready in $(elapsed "$t0")"
  fi
  exec 8>&-
}

kafka_pid() {
  local pid
  pid=$(cat "$KAFKA_PIDFILE" 2>/dev/null) || return 0
  if proc_matches "$pid" "$KAFKA_PROPS"; then echo "$pid"; fi
}

write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_PROPS" <<EOF
# Single-node KRaft broker+controller for local runs and tests (design.md §9). Written by local-infra.sh.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
# One broker: internal topics must not ask for more replicas than exist, or consumer groups
# never find a coordinator.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# Topics are created explicitly (as in production), so a typo fails instead of making a topic.
auto.create.topics.enable=false
num.partitions=3
# Fewer __consumer_offsets partitions than the default 50: the first consumer group comes up faster.
offsets.topic.num.partitions=10
EOF
}

# Polls the broker with a kafkajs admin client until it answers, a consumer group coordinator is
# up (fetchOffsets makes the broker create __consumer_offsets and load it) and a topic can be
# created and deleted. Fails fast if the broker process dies meanwhile.
kafka_wait_ready() {
  local pid=$1
  # shellcheck disable=SC2016 # JavaScript, not shell
  REPO_ROOT="$REPO_ROOT" BROKER="127.0.0.1:$KAFKA_PORT" KAFKA_PID="$pid" TIMEOUT_S="$KAFKA_READY_TIMEOUT" node -e '
    const fs = require("fs");
    const { Kafka, logLevel } = require(require.resolve("kafkajs", { paths: [process.env.REPO_ROOT] }));
    const pid = process.env.KAFKA_PID;
    const deadline = Date.now() + Number(process.env.TIMEOUT_S) * 1000;
    const alive = () => {
      try { return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; }
    };
    const kafka = new Kafka({
      clientId: "local-infra-ready", brokers: [process.env.BROKER], logLevel: logLevel.NOTHING,
      connectionTimeout: 1000, requestTimeout: 10000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const topic = `local-infra-ready-${process.pid}`;
    setInterval(() => {
      if (!alive()) { console.error("the Kafka process exited"); process.exit(2); }
    }, 200).unref();
    (async () => {
      let lastError = "no attempt";
      while (Date.now() < deadline) {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await admin.describeCluster();
          await admin.fetchOffsets({ groupId: "local-infra-ready" });
          // Resolves false if an earlier attempt already created it; waitForLeaders covers both.
          await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
          await admin.deleteTopics({ topics: [topic] });
          await admin.disconnect();
          process.exit(0);
        } catch (error) {
          lastError = `${error.name}: ${error.message}`;
          await admin.disconnect().catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      console.error(`not ready after ${process.env.TIMEOUT_S}s; last error: ${lastError}`);
      process.exit(1);
    })();
  '
}

kafka_start() {
  local pid t0
  t0=$(now_ms)
  load_ports || die "instance $INFRA_DIR was never started; run 'start' first"
  pid=$(kafka_pid)
  if [[ -n $pid ]]; then
    log "kafka already running (pid $pid)"
  else
    ensure_kafka_libs
    if [[ ! -f $KAFKA_PROPS ]]; then write_kafka_config; fi
    if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
      # A KRaft log dir must be formatted with a cluster id (16 random bytes, base64url).
      local cluster_id
      # A base64url id may start with '-', which StorageTool would read as an option: re-roll until not.
      cluster_id=-
      while [[ $cluster_id == -* ]]; do
        cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
      done
      java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_DIR" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_PROPS" --ignore-formatted >&2 ||
        die "formatting the Kafka log dir failed"
    fi
    log "starting kafka on 127.0.0.1:$KAFKA_PORT"
    spawn_detached "$KAFKA_PIDFILE" "$KAFKA_DIR/kafka.out" \
      java -Xms256m -Xmx512m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Dlog4j.configuration="file:$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_DIR" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
    pid=$(cat "$KAFKA_PIDFILE")
  fi
  if ! kafka_wait_ready "$pid"; then
    log "kafka did not become ready; last lines of its logs:"
    tail -n 40 "$KAFKA_DIR/server.log" "$KAFKA_DIR/kafka.out" >&2 2>/dev/null || true
    die "kafka not ready (logs in $KAFKA_DIR)"
  fi
  log "kafka ready on 127.0.0.1:$KAFKA_PORT in $(elapsed "$t0")"
}

kafka_stop() {
  local pid
  pid=$(kafka_pid)
  # SIGTERM lets the broker shut down cleanly, so the next start needs no log recovery.
  if [[ -n $pid ]]; then stop_process "$pid" "$KAFKA_PROPS" kafka TERM; fi
  rm -f "$KAFKA_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL. The server refuses to run as root, so as root every PG binary runs as `postgres`,
# which then needs to reach the data dir. The cluster lives in $INFRA_DIR/pg unless `postgres`
# cannot traverse that path (e.g. a clone under /root) or the unix socket path would exceed the
# kernel's ~107 byte limit; then it lives in a private dir under /tmp and $INFRA_DIR/pg is a symlink.

PG_BIN=""
pg_bin() {
  if [[ -z $PG_BIN ]]; then
    command -v pg_config >/dev/null || die "pg_config not found: install postgresql-15 (Debian)"
    PG_BIN=$(pg_config --bindir)
  fi
  echo "$PG_BIN/$1"
}

as_pg() {
  # cd: the caller's cwd (e.g. /root) may be unreadable for postgres, which initdb complains about.
  if ((EUID == 0)); then
    (cd "$PG_ROOT" && runuser -u postgres -- "$@")
  else
    (cd "$PG_ROOT" && "$@")
  fi
}

# Sets PG_ROOT (resolved, so the postmaster's command line names it), PG_DATA, PG_SOCK, PG_LOG.
# With CREATE=1 creates the directory if needed.
resolve_pg_root() {
  local create=${1:-0}
  if [[ ! -e $INFRA_DIR/pg && $create == 1 ]]; then
    mkdir -p "$INFRA_DIR/pg"
    ((EUID != 0)) || chown postgres: "$INFRA_DIR/pg"
    local socket_path="$INFRA_DIR/pg/.s.PGSQL.65535"
    if ((${#socket_path} > 100)) || { ((EUID == 0)) && ! runuser -u postgres -- test -w "$INFRA_DIR/pg"; }; then
      rmdir "$INFRA_DIR/pg"
      local private
      private=$(mktemp -d "${TMPDIR:-/tmp}/local-infra-pg.XXXXXX")
      ((EUID != 0)) || chown postgres: "$private"
      ln -s "$private" "$INFRA_DIR/pg"
      log "postgres data dir is $private (symlinked from $INFRA_DIR/pg)"
    fi
  fi
  PG_ROOT=$(readlink -f "$INFRA_DIR/pg" 2>/dev/null || echo "$INFRA_DIR/pg")
  PG_DATA="$PG_ROOT/data"
  PG_SOCK="$PG_ROOT"
  PG_LOG="$PG_ROOT/postgres.log"
}

pg_pid() {
  local pid
  pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 0
  if proc_matches "$pid" "$PG_DATA"; then echo "$pid"; fi
}

# Writes $PG_ROOT/initialised last: a cluster whose initdb or config was interrupted is redone.
pg_init() {
  log "initdb in $PG_DATA"
  rm -rf "$PG_DATA"
  # The password lets DATABASE_URL work unchanged against docker-compose and this cluster alike.
  local pwfile="$PG_ROOT/.pwfile"
  echo "$PG_PASSWORD" >"$pwfile"
  ((EUID != 0)) || chown postgres: "$pwfile"
  as_pg "$(pg_bin initdb)" -D "$PG_DATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PG_ROOT/initdb.log" 2>&1 ||
    {
      cat "$PG_ROOT/initdb.log" >&2
      die "initdb failed"
    }
  rm -f "$pwfile"
  # A throwaway cluster: durability is worth nothing here, speed is.
  cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- local-infra.sh: throwaway test cluster ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
EOF
  touch "$PG_ROOT/initialised"
}

pg_start() {
  local pid t0 i
  t0=$(now_ms)
  load_ports || die "instance $INFRA_DIR was never started; run 'start' first"
  resolve_pg_root 1
  if [[ ! -f $PG_ROOT/initialised ]]; then pg_init; fi
  pid=$(pg_pid)
  if [[ -n $pid ]]; then
    log "postgres already running (pid $pid)"
  else
    log "starting postgres on 127.0.0.1:$PG_PORT"
    # pg_ctl puts the postmaster in its own session and its output in PG_LOG.
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_READY_TIMEOUT" start \
      >&2 8>&- 9>&- || {
      tail -n 40 "$PG_LOG" >&2 2>/dev/null || true
      die "postgres did not start (log: $PG_LOG)"
    }
  fi
  for ((i = 0; ; i++)); do
    "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" -t 1 && break
    ((i < PG_READY_TIMEOUT * 5)) || {
      tail -n 40 "$PG_LOG" >&2 2>/dev/null || true
      die "postgres not accepting connections on 127.0.0.1:$PG_PORT"
    }
    sleep 0.2
  done
  local exists
  exists=$(PGPASSWORD=$PG_PASSWORD "$(pg_bin psql)" -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -d postgres -c "select 1 from pg_database where datname = '$PG_DATABASE'") || die "psql failed"
  if [[ $exists != 1 ]]; then
    PGPASSWORD=$PG_PASSWORD "$(pg_bin createdb)" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DATABASE" ||
      die "createdb $PG_DATABASE failed"
  fi
  log "postgres ready on 127.0.0.1:$PG_PORT in $(elapsed "$t0")"
}

pg_stop() {
  [[ -e $INFRA_DIR/pg ]] || return 0
  resolve_pg_root
  local pid
  pid=$(pg_pid)
  [[ -n $pid ]] || return 0
  # SIGINT is PostgreSQL's "fast" shutdown: SIGTERM ("smart") would wait for every client (say, a
  # test's connection pool) to disconnect.
  stop_process "$pid" "$PG_DATA" postgres INT
  # Only after a SIGKILL are the pid/lock files left behind. The whole group is dead by now, but the
  # postmaster may still be an unreaped zombie, which PostgreSQL would take for a live server and
  # refuse to start; so remove them here.
  if [[ -f $PG_DATA/postmaster.pid && $(head -n 1 "$PG_DATA/postmaster.pid") == "$pid" ]]; then
    rm -f "$PG_DATA/postmaster.pid" "$PG_SOCK"/.s.PGSQL.*
  fi
}

# ---------------------------------------------------------------------------------------------
# Watchdog: stops the instance when the owner (e.g. a Jest runner) dies without tearing it down.

watchdog_pid() {
  local pid
  pid=$(cat "$WATCHDOG_PIDFILE" 2>/dev/null) || return 0
  if proc_matches "$pid" "__watchdog"; then echo "$pid"; fi
}

start_watchdog() {
  local owner=$1
  pid_alive "$owner" || die "--owner-pid $owner is not a running process"
  [[ -z $(watchdog_pid) ]] || return 0
  spawn_detached "$WATCHDOG_PIDFILE" "$INFRA_DIR/watchdog.log" bash "$SCRIPT" __watchdog "$owner" "$INFRA_DIR"
  log "watchdog $(cat "$WATCHDOG_PIDFILE") stops this instance when pid $owner exits"
}

stop_watchdog() {
  local pid
  pid=$(watchdog_pid)
  # The watchdog calls stop itself and must not wait for its own death.
  if [[ -n $pid && $pid != "$$" ]]; then stop_process "$pid" "__watchdog" watchdog TERM; fi
  rm -f "$WATCHDOG_PIDFILE"
}

cmd_watchdog() {
  local owner=$1
  while pid_alive "$owner"; do sleep 1; done
  log "owner pid $owner is gone; stopping the instance"
  lock_instance
  stop_all
  log "watchdog done"
}

# ---------------------------------------------------------------------------------------------
# Commands

stop_all() {
  stop_watchdog
  # Stop both at once: each may take seconds.
  kafka_stop &
  local kafka_job=$!
  pg_stop || true
  wait "$kafka_job" || true
}

cmd_start() {
  local owner=${INFRA_OWNER_PID:-}
  while (($#)); do
    case $1 in
      --owner-pid)
        owner=${2:?--owner-pid needs a pid}
        shift 2
        ;;
      *) die "unknown option for start: $1" ;;
    esac
  done
  lock_instance
  local t0
  t0=$(now_ms)
  ensure_ports
  write_env
  # A failed start must not leave half an instance running (nothing would stop it).
  trap 'rc=$?; if ((rc != 0)); then log "start failed; stopping this instance"; stop_all; fi' EXIT
  # Started before the servers so a runner killed during startup is covered too.
  if [[ -n $owner ]]; then start_watchdog "$owner"; fi
  # Both start in parallel (Kafka is the slow one). Each runs as a background job, where errexit
  # still applies (it would not inside `kafka_start || ...`), and both are waited for.
  kafka_start &
  local kafka_job=$!
  pg_start &
  local pg_job=$!
  local kafka_rc=0 pg_rc=0
  wait "$kafka_job" || kafka_rc=$?
  wait "$pg_job" || pg_rc=$?
  ((kafka_rc == 0 && pg_rc == 0)) || die "start failed (kafka exit $kafka_rc, postgres exit $pg_rc)"
  trap - EXIT
  log "instance $INFRA_DIR ready in $(elapsed "$t0")"
  cat "$ENV_FILE"
}

cmd_status() {
  if [[ ! -d $INFRA_DIR ]]; then
    echo "no instance at $INFRA_DIR"
    return 0
  fi
  load_ports || true
  local pid
  pid=$(kafka_pid)
  if [[ -n $pid ]]; then
    echo "kafka: up (pid $pid, 127.0.0.1:${KAFKA_PORT:-?})"
  else echo "kafka: down"; fi
  if [[ -e $INFRA_DIR/pg ]]; then
    resolve_pg_root
    pid=$(pg_pid)
  else pid=""; fi
  if [[ -n $pid ]]; then
    echo "postgres: up (pid $pid, 127.0.0.1:${PG_PORT:-?})"
  else echo "postgres: down"; fi
  pid=$(watchdog_pid)
  if [[ -n $pid ]]; then echo "watchdog: up (pid $pid)"; else echo "watchdog: down"; fi
}

cmd_logs() {
  local lines=${1:-60} files=()
  [[ -d $INFRA_DIR ]] || die "no instance at $INFRA_DIR"
  [[ -e $INFRA_DIR/pg ]] && resolve_pg_root
  for f in "$KAFKA_DIR/server.log" "$KAFKA_DIR/kafka.out" "${PG_LOG:-}" "$INFRA_DIR/watchdog.log"; do
    [[ -n $f && -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || die "no logs yet in $INFRA_DIR"
  tail -n "$lines" "${files[@]}"
}

# purge deletes $INFRA_DIR: make sure a mistyped INFRA_DIR (say, $HOME) is not wiped.
refuse_foreign_dir() {
  local entry
  for entry in "$INFRA_DIR"/* "$INFRA_DIR"/.[!.]*; do
    [[ -e $entry || -L $entry ]] || continue
    case ${entry##*/} in
      .lock | ports | ports.tmp | env | env.tmp | kafka | pg | watchdog.pid | watchdog.pid.tmp | watchdog.log) ;;
      *) die "$INFRA_DIR holds ${entry##*/}: not an instance directory, not deleting it" ;;
    esac
  done
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    start) cmd_start "$@" ;;
    stop)
      [[ -d $INFRA_DIR ]] || exit 0
      lock_instance
      stop_all
      ;;
    purge)
      if [[ -d $INFRA_DIR ]]; then
        refuse_foreign_dir
        lock_instance
        stop_all
        [[ ! -L $INFRA_DIR/pg ]] || rm -rf "$(readlink -f "$INFRA_DIR/pg")"
        rm -rf "$INFRA_DIR"
        log "purged $INFRA_DIR"
      fi
      ;;
    kafka-start)
      [[ -f $PORTS_FILE ]] || die "instance $INFRA_DIR was never started; run 'start' first"
      lock_instance
      kafka_start
      ;;
    kafka-stop)
      [[ -d $INFRA_DIR ]] || exit 0
      lock_instance
      kafka_stop
      ;;
    pg-start)
      [[ -f $PORTS_FILE ]] || die "instance $INFRA_DIR was never started; run 'start' first"
      lock_instance
      pg_start
      ;;
    pg-stop)
      [[ -d $INFRA_DIR ]] || exit 0
      lock_instance
      pg_stop
      ;;
    status) cmd_status ;;
    env)
      [[ -f $ENV_FILE ]] || die "no env file: instance $INFRA_DIR was never started"
      cat "$ENV_FILE"
      ;;
    logs) cmd_logs "$@" ;;
    __watchdog) cmd_watchdog "$@" ;;
    *)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SCRIPT" >&2
      exit 2
      ;;
  esac
}

main "$@"
