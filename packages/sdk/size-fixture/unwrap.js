// `unwrap` alone: the error classes it throws, no client and no contract.
import { unwrap } from '@cims/sdk';

document.body.textContent = String(unwrap({ status: 200, body: 'ready' }));
