import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { ACCOUNT, REGION } from '../support/template';

// aws-local-stepfunctions needs Promise.withResolvers (Node 22); these tests run on Node 20 too.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      return { promise, resolve, reject };
    },
  });
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export type TaskHandler = (input: Json) => Json | Promise<Json>;

/** One Task state's invocation: which state, with which effective parameters. */
export interface TaskCall {
  readonly state: string;
  readonly input: Json;
}

export interface LocalRun {
  /** The execution's output, or its error and cause when it failed. */
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  /** Every Task state invoked, in order. */
  readonly calls: TaskCall[];
  callsTo(state: string): Json[];
}

export const STATE_MACHINE_NAME = 'Pipeline';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
export const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${STATE_MACHINE_NAME}:req`;
export const TASK_TOKEN = 'task-token-of-await-approval';

/**
 * What the gate's decision check finds in a record the approval handler closed with `decision`
 * (its SendTaskSuccess output), for a pipeline that requires two approvals.
 */
export function recordedVerdict(decision: Json): Json {
  const approved = decision?.decision === 'approved' && decision.approvalCount >= 2;
  return {
    approved,
    approvers: approved ? decision.approvers : [],
    reason: decision?.reason ?? 'no decision',
  };
}

/**
 * Runs a synthesized definition locally. Every Task state is replaced by `handlers[state]` (or
 * returns `{}`), and each call is recorded with the parameters the definition rendered for it.
 * Wait states do not wait.
 */
export async function runLocally(
  definition: Json,
  input: Json,
  handlers: Record<string, TaskHandler>,
): Promise<LocalRun> {
  const calls: TaskCall[] = [];
  const taskStates = new Set<string>();
  const waitStates = new Set<string>();
  const collect = (states: Record<string, Json>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') taskStates.add(name);
      if (s.Type === 'Wait') waitStates.add(name);
      for (const sub of [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])]) if (sub) collect(sub.States);
    }
  };
  collect(definition.States);
  // The decision check re-reads the record; unless a test says what the record holds, it holds
  // what the approval handler records for the decision the wait returned.
  let lastDecision: Json;
  const handlerOf = (state: string): TaskHandler | undefined =>
    handlers[state] ?? (state === 'CheckDecision' ? () => recordedVerdict(lastDecision) : undefined);
  const overrides = Object.fromEntries(
    [...taskStates].map((state) => [
      state,
      async (taskInput: Json) => {
        calls.push({ state, input: taskInput });
        const result = (await handlerOf(state)?.(taskInput)) ?? {};
        if (state === 'AwaitApproval') lastDecision = result;
        return result;
      },
    ]),
  );
  const machine = new StateMachine(JSON.parse(JSON.stringify(definition)), {
    validationOptions: { checkArn: false },
  });
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: overrides,
      retryIntervalOverrides: {},
      // Wait states pass at once: what they wait for is the tasks' answers, which the test gives.
      waitTimeOverrides: Object.fromEntries([...waitStates].map((state) => [state, 0])),
    },
    context: {
      Execution: { Id: EXECUTION_ARN, Input: input, StartTime: new Date().toISOString() },
      StateMachine: { Id: STATE_MACHINE_ARN, Name: STATE_MACHINE_NAME },
      Task: { Token: TASK_TOKEN },
    } as Json,
  });
  const callsTo = (state: string) => calls.filter((c) => c.state === state).map((c) => c.input);
  try {
    return { output: await execution.result, calls, callsTo };
  } catch (e) {
    if (!(e instanceof ExecutionError)) throw e;
    const failure = (e as Error).cause as Json;
    return { error: failure?.name ?? String(e), cause: failure?.message, calls, callsTo };
  }
}
