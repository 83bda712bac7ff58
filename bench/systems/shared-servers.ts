// Pids of the shared servers on this machine. They also serve whatever else runs here, so their CPU
// figures include other users' work during the measurement.
import { pidsByComm } from '../metrics/cpu.js';

export const rabbitmqPids = () => pidsByComm('beam.smp');
export const postgresPids = () => pidsByComm('postgres');
export const redisPids = () => pidsByComm('redis-server');
