import { serverConformance } from './server.js';

serverConformance('accounts');
