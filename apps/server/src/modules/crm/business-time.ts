/** The business-time arithmetic is shared with the mocks, so it lives once in `@cims/contracts/rules`. */
export { BusinessTime } from '@cims/contracts/rules';
