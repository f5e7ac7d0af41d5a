export { healthContract } from './health.contract.js';
export {
  type Liveness,
  LivenessSchema,
  type Readiness,
  type ReadinessCheck,
  ReadinessCheckSchema,
  ReadinessQuerySchema,
  ReadinessSchema,
} from './health.schemas.js';
