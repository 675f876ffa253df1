// One Lambda execution environment of the emulator (lambda-emulator.ts), as Lambda's Node.js runtime
// runs a function: the bundle is loaded once (init), then invocations come one at a time, each with a
// context whose remaining time counts down to the function's timeout. Init errors are reported as
// Lambda reports them, and the environment is not reused after one.
const [bundle, handlerName] = process.argv.slice(2);

// The simulation's clock (tests only): each invocation may say what time it is, and from then on
// this process's clock runs from there at real speed. The bundles read the time as they always do.
const RealDate = Date;
let offset = 0;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;

let handler;
let initError;
try {
  handler = require(bundle)[handlerName];
  if (typeof handler !== 'function')
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `index.${handlerName} is undefined or not exported`,
    };
} catch (error) {
  initError = {
    errorType:
      error?.code === 'MODULE_NOT_FOUND'
        ? 'Runtime.ImportModuleError'
        : error instanceof SyntaxError
          ? 'Runtime.UserCodeSyntaxError'
          : (error?.name ?? 'Error'),
    errorMessage: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`,
  };
}

process.on('message', async (message) => {
  if (initError) {
    process.send({ id: message.id, error: initError, init: true });
    return;
  }
  if (typeof message.clock === 'number') offset = message.clock - RealDate.now();
  const context = {
    awsRequestId: message.requestId,
    functionName: message.functionName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - RealDate.now()),
  };
  // A marker line, so the emulator tells this invocation's log lines from the next one's.
  process.stdout.write(`START RequestId: ${message.requestId}\n`);
  try {
    const result = await handler(message.event, context);
    process.stdout.write(`END RequestId: ${message.requestId}\n`, () =>
      process.send({ id: message.id, result: result === undefined ? null : result }),
    );
  } catch (error) {
    process.stdout.write(`END RequestId: ${message.requestId}\n`, () =>
      process.send({
        id: message.id,
        error: { errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error) },
      }),
    );
  }
});
// An environment lives no longer than the emulator that started it (a test that died included).
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
