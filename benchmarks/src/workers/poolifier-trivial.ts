// The trivial transform as a poolifier worker (poolifier loads a ThreadWorker, not a function).
import { ThreadWorker } from 'poolifier';
import trivial from './trivial.js';

export default new ThreadWorker<number, number>((x) => trivial(x) as number);
