// The same behaviour test over the task transport (one piscina task per message).
process.env.TIDEMARK_TEST_TRANSPORT = 'task';
await import('../ordered-retries.test.js');
