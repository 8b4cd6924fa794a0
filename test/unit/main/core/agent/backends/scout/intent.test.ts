import { describe, expect, it } from 'vitest';
import { parseIntent, type Ask, type EventKind, type Occurrence } from '../../../../../../../main/core/agent/backends/scout/index.js';

type Expected = [question: string, event: EventKind, occurrence: Occurrence, ask: Ask];

const EVENT_QUESTIONS: Expected[] = [
  // bleeding
  ['When does the bleeding start?', 'bleeding', 'first', 'start'],
  ['When is the first bleed?', 'bleeding', 'first', 'start'],
  ['Show me every time there is hemorrhage', 'bleeding', 'all', 'when'],
  ['Any haemorrhage?', 'bleeding', 'all', 'exists'],
  ['Where is the oozing in this video', 'bleeding', 'all', 'when'],
  ['When do we see blood pooling?', 'bleeding', 'all', 'when'],
  ['How many times does it bleed?', 'bleeding', 'all', 'count'],
  ['When is the last bleeder?', 'bleeding', 'last', 'when'],
  ['When was hemostasis needed for the last time?', 'bleeding', 'last', 'when'],
  ['How long does the bleeding last?', 'bleeding', 'best', 'duration'],
  ['When is the bleeding controlled?', 'bleeding', 'first', 'end'],
  ['When does the final bleeding stop?', 'bleeding', 'last', 'end'],
  ['How long did the last bleed last?', 'bleeding', 'last', 'duration'],
  // smoke
  ['When is there smoke?', 'smoke', 'all', 'when'],
  ['When does the surgical plume first obscure the view?', 'smoke', 'first', 'start'],
  ['When does the smoke clear?', 'smoke', 'first', 'end'],
  ['List all episodes of haze', 'smoke', 'all', 'when'],
  ['Is the lens fogging up at some point?', 'smoke', 'all', 'exists'],
  ['How long is the view fogged by cautery smoke?', 'smoke', 'best', 'duration'],
  ['How much time in total is the view hazy?', 'smoke', 'all', 'total'],
  ['When is the latest cautery smoke?', 'smoke', 'last', 'when'],
  // out of body
  ['When is the camera outside the patient?', 'outOfBody', 'all', 'when'],
  ['When is the scope withdrawn for the first time?', 'outOfBody', 'first', 'start'],
  ['How often is the lens cleaning done?', 'outOfBody', 'all', 'count'],
  ['How long was the camera out of the body?', 'outOfBody', 'best', 'duration'],
  ['When is the out-of-body view at the end of the case?', 'outOfBody', 'last', 'when'],
  ['When was the laparoscope removed?', 'outOfBody', 'all', 'when'],
  ['When do they take out the camera to wipe the lens?', 'outOfBody', 'all', 'when'],
  ['When does the camera leave the abdomen the last time?', 'outOfBody', 'last', 'when'],
  // idle
  ['When is there a pause?', 'idle', 'all', 'when'],
  ['How long was the pause before clipping?', 'idle', 'best', 'duration'],
  ['When does nothing move?', 'idle', 'all', 'when'],
  ['Is there a period with no activity?', 'idle', 'all', 'exists'],
  ['When does the first idle period begin?', 'idle', 'first', 'start'],
  ['How many times is the surgery static?', 'idle', 'all', 'count'],
  ['When is the last waiting time?', 'idle', 'last', 'when'],
  ['For how long is the team waiting, in total?', 'idle', 'all', 'total'],
  // ways of saying it that read as something else word by word
  ['Is there a pause in the procedure?', 'idle', 'all', 'exists'],
  ['When did the surgeon stop operating?', 'idle', 'all', 'when'],
  ['When does the operation halt?', 'idle', 'all', 'when'],
  ['When does the picture freeze?', 'idle', 'all', 'when'],
  ['Is there any period when the video is frozen?', 'idle', 'all', 'exists'],
  ['When are the instruments still?', 'idle', 'all', 'when'],
  ['When is there no surgical activity?', 'idle', 'all', 'when'],
  ['When is the field of view obscured?', 'smoke', 'all', 'when'],
  ['When is there poor visibility?', 'smoke', 'all', 'when'],
  ['When does the scope come out?', 'outOfBody', 'all', 'when'],
  ['Is there bleeding during the whole operation?', 'bleeding', 'all', 'exists'],
];

const DECLINES: [question: string, needs: string][] = [
  ['Which instrument is used?', 'instruments'],
  ['Which instrument is used to stop the bleeding?', 'instruments'],
  ['Is the gallbladder perforated?', 'anatomy'],
  ['What is the critical view of safety?', 'surgical steps'],
  ['When is the critical view of safety achieved?', 'surgical steps'],
  ['Where does the bleeding come from?', 'causes'],
  ['Why is there so much smoke?', 'causes'],
  ['How much blood is lost?', 'amounts'],
  ['Is the bleeding arterial?', 'anatomy'],
  ['Is there a bile leak?', 'injuries'],
  ['Who is operating?', 'people'],
  ['Summarize the case', 'what the question asks about'],
  ['Which step of the procedure has bleeding?', 'surgical steps'],
  ['Which instrument is still?', 'instruments'],
  ['What happens at 00:12:00?', 'what the question asks about'],
  ['', 'what the question asks about'],
];

describe('scout intent: clinical ways of asking', () => {
  it.each(EVENT_QUESTIONS)('%s', (question, event, occurrence, ask) => {
    expect(parseIntent(question)).toMatchObject({ kind: 'event', event, occurrence, ask });
  });

  it('keeps a clause it cannot place as context, to own up to in the answer', () => {
    expect(parseIntent('How long was the pause before clipping?')).toMatchObject({ context: 'before clipping' });
    expect(parseIntent('When does bleeding start after the trocar insertion?')).toMatchObject({
      event: 'bleeding',
      context: 'after the trocar insertion',
    });
    // A clause naming the asked event again is not context.
    expect(parseIntent('When does the bleeding start?')).toMatchObject({ context: null });
  });

  it('takes the subject named first when a question names two events', () => {
    expect(parseIntent('When is the camera taken out to clean the fogged lens?')).toMatchObject({ event: 'outOfBody' });
    expect(parseIntent('When does smoke appear after the bleeding?')).toMatchObject({ event: 'smoke' });
    expect(parseIntent('How long is the pause after the bleeding?')).toMatchObject({ event: 'idle', ask: 'duration' });
  });

  it('reads "last" as the verb after "how long", and as the occurrence otherwise', () => {
    expect(parseIntent('How long does the smoke last?')).toMatchObject({ occurrence: 'best', ask: 'duration' });
    expect(parseIntent('When is the smoke seen last?')).toMatchObject({ occurrence: 'last' });
  });

  it('understands a follow-up that names no event from the conversation before', () => {
    expect(parseIntent('And the last one?', ['When does the bleeding start?'])).toMatchObject({
      kind: 'event',
      event: 'bleeding',
      occurrence: 'last',
    });
    // Without an earlier event question there is nothing to follow up.
    expect(parseIntent('And the last one?')).toMatchObject({ kind: 'decline' });
    // A new unrelated question is not a follow-up.
    expect(parseIntent('What is this?', ['When does the bleeding start?'])).toMatchObject({ kind: 'decline' });
  });
});

describe('scout intent: questions it declines', () => {
  it.each(DECLINES)('%s', (question, needs) => {
    expect(parseIntent(question)).toEqual({ kind: 'decline', needs });
  });
});
