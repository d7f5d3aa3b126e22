export { teardown as default } from './child-process-check.js';
