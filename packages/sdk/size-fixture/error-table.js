// The error table alone: codes and their statuses, no routers or schemas.
import { ERROR_CODES, ERROR_STATUS } from '@cims/contracts';

document.body.textContent = ERROR_CODES.map((code) => `${code} ${ERROR_STATUS[code]}`).join('\n');
