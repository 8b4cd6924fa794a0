/*
 * Where the agent meets the rest of the host. The tools (media worker) and backends are plugged in
 * here; until they are, asking explains that instead of failing obscurely.
 */

import type { AgentTools } from '../../core/agent/engine/index.js';
import { createScoutBackend } from '../../core/agent/backends/scout/index.js';
import { OpscopeError } from '../../core/errors.js';
import { createAgentTools, type AgentToolDeps } from './agent-tools.js';
import { agentFrameFiles } from './backends/frame-images.js';
import { FrameVision } from './frame-vision.js';
import { createOnnxBackend } from './backends/onnx.js';
import { createOpenAiBackend } from './backends/openai.js';
import { AgentService, type BackendFactory } from './agent-service.js';
import type { EventBus } from '../event-bus.js';
import type { SettingsService } from '../settings/settings-service.js';
import { caseDuration } from '../cases/case-model.js';
import type { Store } from '../store/store.js';

export interface AgentWiring {
  toolsFor?: (caseId: string) => AgentTools;
  backends?: Record<string, BackendFactory>;
  batchMs?: number;
  now?: () => number;
}

function toolsNotConnected(): AgentTools {
  throw new OpscopeError('unavailable', "The agent's tools are not connected yet.");
}

/**
 * What a host offers out of the box: the worker's tools on case time, the embedded scout backend,
 * which needs no model, `openai`, a vision-language model on an OpenAI-compatible server, and
 * `onnx`, a vision-language model in a local folder run by the model worker, once they are set in
 * the settings (asking one before then says which settings are missing). The API key
 * may come from OPSCOPE_OPENAI_API_KEY instead of the settings.
 */
export function defaultAgentWiring(host: AgentToolDeps & { modelWorker: AgentToolDeps['worker'] }): AgentWiring {
  const frameFiles = agentFrameFiles(host);
  // One for the host: what it saw on a frame is remembered across runs.
  const vision = new FrameVision(host.modelWorker);
  return {
    toolsFor: (caseId) => createAgentTools(host, caseId, { vision }),
    backends: {
      scout: () => createScoutBackend(),
      openai: (settings) =>
        createOpenAiBackend(
          { ...settings.openai, apiKey: settings.openai.apiKey || process.env.OPSCOPE_OPENAI_API_KEY || undefined },
          { frameFiles },
        ),
      onnx: (settings) => createOnnxBackend(settings.onnx, { frameFiles, worker: host.modelWorker }),
    },
  };
}

export function createAgentService(
  host: { store: Store; bus: EventBus; settings: SettingsService },
  wiring: AgentWiring = {},
): AgentService {
  const { store } = host;
  return new AgentService({
    store,
    bus: host.bus,
    toolsFor: wiring.toolsFor ?? toolsNotConnected,
    backends: wiring.backends ?? {},
    caseDuration: (caseId) => caseDuration(store.partsOf(caseId)),
    bookmarks: (caseId) => store.bookmarks.list(caseId).map((b) => ({ number: b.number, time: b.time, label: b.label })),
    // A recording row still running is this process's or another's (the desktop app recording while the CLI asks).
    live: (caseId) => store.recordingsIn('running').some((r) => r.case_id === caseId),
    settings: () => host.settings.get().agent,
    ...(wiring.batchMs !== undefined ? { batchMs: wiring.batchMs } : {}),
    ...(wiring.now ? { now: wiring.now } : {}),
  });
}
