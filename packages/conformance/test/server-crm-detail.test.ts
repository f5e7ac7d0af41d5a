import { serverConformance } from './server.js';

serverConformance('crm-detail');
