export {
  ProtocolStreamParser,
  parseProtocol,
  type ProtocolEvent,
  type StreamParserOptions,
} from './stream-parser.js';
export { parseAnswer, evidenceFromValue, extractEvidenceFromText } from './answer.js';
export { stepFromEvents, turnToStep, MALFORMED_MESSAGES } from './to-step.js';
export { parseToolCallText, toolCallFromValue, type ToolCallResult } from './tool-call.js';
export { parseLooseJson, type LooseJsonResult } from './loose-json.js';
export {
  buildSystemPrompt,
  toolSchemas,
  formatSeconds,
  frameLabel,
  windowLabel,
  cropObservationHeader,
  frameObservationHeader,
  similarObservationHeader,
  formatToolCall,
  wrapToolResponse,
  type SystemPromptOptions,
  type ToolSchema,
} from './prompt.js';
