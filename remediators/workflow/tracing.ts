/**
 * X-Ray for the workflow's tasks: each task runs in its own `## <task>` subsegment, annotated with
 * the stage it works on (account, region, apiId, stageName) and, where its input has them, the
 * control ids and the outcome, so traces can be searched by them (`annotation.apiId = "..."`).
 * Lambda's own segment cannot take annotations, hence the subsegment (as Powertools'
 * captureLambdaHandler does). With tracing off (outside Lambda) the task runs as is.
 */
import * as z from 'zod';
import { tracer } from '../shared/tracing.js';

const StageFieldsSchema = z.looseObject({
  account: z.string(),
  region: z.string(),
  apiId: z.string(),
  /** null: every stage of the API (a request before ExpandStages). */
  stageName: z.string().nullable(),
  controls: z.array(z.string()).optional(),
});

const TaskInputSchema = z.looseObject({
  stage: StageFieldsSchema.optional(),
  request: StageFieldsSchema.optional(),
  terminal: z.looseObject({ outcome: z.string() }).optional(),
});

export type TraceAnnotations = Readonly<Record<string, string>>;

/**
 * The annotations a task's input gives: the stage from `stage`, else `request`, else the input's
 * own fields (the approval request); the control ids from `request` or the input's `controls`;
 * the outcome from `terminal`. An input of another shape gives none (the task's own validation
 * reports it).
 */
export function traceAnnotationsOf(input: unknown): TraceAnnotations {
  const task = TaskInputSchema.safeParse(input);
  const flat = StageFieldsSchema.safeParse(input);
  const { stage, request, terminal } = task.success ? task.data : {};
  const where = stage ?? request ?? (flat.success ? flat.data : undefined);
  const controls = request?.controls ?? (flat.success ? flat.data.controls : undefined);
  return {
    ...(where === undefined ? {} : { account: where.account, region: where.region, apiId: where.apiId }),
    ...(where?.stageName == null ? {} : { stageName: where.stageName }),
    ...(controls === undefined ? {} : { controlIds: controls.join(',') }),
    ...(terminal === undefined ? {} : { outcome: terminal.outcome }),
  };
}

/** The task's handler, run in its annotated `## <task>` subsegment when tracing is on. */
export function tracedTask<Output>(
  task: string,
  handler: (event: unknown) => Promise<Output>,
): (event: unknown) => Promise<Output> {
  return async (event) => {
    const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    if (segment === undefined) return handler(event);
    const subsegment = segment.addNewSubsegment(`## ${task}`);
    tracer.setSegment(subsegment);
    try {
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      for (const [key, value] of Object.entries(traceAnnotationsOf(event))) tracer.putAnnotation(key, value);
      return await handler(event);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment.close();
      tracer.setSegment(segment);
    }
  };
}
