export { setup as default } from './child-process-check.js';
