import type { CaseViews } from '../cases/case-views.js';
import type { HandlersOf } from '../router.js';
import type { Store } from '../store/store.js';
import type { AgentService, FinishedRun } from './agent-service.js';
import type { FinishedRun as FinishedRunView } from '../../core/contract/agent-schemas.js';

/** `agent` is a getter: the service is replaced when the agent is re-wired (see AppHost.wireAgent). */
export function agentHandlers(agent: () => AgentService, views: CaseViews, store: Store): HandlersOf<'agent'> {
  return {
    'agent.ask': ({ caseId, question, backend, conversationId, playhead }) =>
      agent().ask(caseId, question, {
        ...(backend !== undefined ? { backend } : {}),
        ...(conversationId !== undefined ? { conversationId } : {}),
        ...(playhead !== undefined ? { playhead } : {}),
      }),
    'agent.cancel': ({ runId }) => ({ canceled: agent().cancel(runId) }),
    'agent.wait': async ({ runId }) => finishedView(await agent().whenDone(runId)),
    'agent.conversation': ({ caseId, conversationId }) => {
      views.requireCase(caseId);
      return { caseId, conversations: store.agent.conversations(caseId, conversationId) };
    },
  };
}

function finishedView(run: FinishedRun): FinishedRunView {
  const { record } = run;
  return {
    runId: run.runId,
    caseId: run.caseId,
    conversationId: run.conversationId,
    state: run.state,
    backend: { name: record.backend.name, model: record.backend.model },
    executionProvider: run.executionProvider,
    answer: record.answer,
    error: record.error,
    evidence: record.evidence,
    steps: record.steps,
    notes: record.notes,
    saveError: run.saveError,
  };
}
