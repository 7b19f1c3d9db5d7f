// Worker entry while adbrain runs from TypeScript sources: a worker thread does
// not inherit the main thread's tsx loader, so it registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./forecast-worker.ts');
