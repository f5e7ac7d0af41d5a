import { serverConformance } from './server.js';

serverConformance('administration');
