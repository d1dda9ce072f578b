// The entry of a function-host worker thread. Plain JavaScript so that it runs before TypeScript can be loaded:
// it registers tsx's CommonJS hook, then loads the worker's TypeScript body.
require('tsx/cjs/api').register();
require('./function-host.ts');
