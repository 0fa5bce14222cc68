import { describeTrackerBehaviour } from './tracker-behaviour.ts';

describeTrackerBehaviour('memory');
