/** The admin endpoints' bodies (docs/OPERATIONS.md, "Admin API"). */

export interface NodeSample {
  at: string;
  totalQueued: number;
  largestQueue: number;
  nonEmptyQueues: number;
  inboundPerSecond: number;
  outboundPerSecond: number;
  connections: number;
  gcPauseMillisecondsTotal: number;
  gateOpen: boolean;
}

export interface GateState {
  open: boolean;
  reason: string;
  forced: boolean;
  changedAt: string | null;
}

export interface NodeResponse {
  host: string;
  processId: number;
  store: string;
  gate: GateState;
  samples: NodeSample[];
}

export interface PoolSnapshot {
  name: string;
  workers: number;
  totalQueued: number;
  busyWorkers: number;
  discardedFull: number;
  discardedExpired: number;
  waitP99Milliseconds: number;
}

export interface BacklogResponse {
  at: string;
  totalQueued: number;
  gateOpen: boolean;
  pools: { pool: PoolSnapshot; topQueues: { worker: number; length: number }[] }[];
}

export interface NodeStatus {
  nodeId: string;
  host: string;
  processId: number;
  store: string;
  self: boolean;
  at: string;
  sample: NodeSample;
  gate: GateState;
  waitP99Milliseconds: number;
  discardedTotal: number;
}

export interface NodesResponse {
  nodes: NodeStatus[];
}
