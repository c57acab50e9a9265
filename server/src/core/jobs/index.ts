/** Job launching: the launch request, the command lines each launcher runs, and shell/YAML quoting. Pure: no I/O. */
export * from './types';
export * from './command';
export * from './quote';
