export {
  addCalendarDays,
  type FollowerPoint,
  growthFromBaselines,
  growthOf,
  growthPercentage,
  growthWindow,
  growthWindowKey,
} from './growth.js';
export { instagramContract } from './instagram.contract.js';
export * from './instagram.schemas.js';
