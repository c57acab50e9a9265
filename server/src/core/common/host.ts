/** Reading other files (a config's `deepspeed:` JSON): injected, so the core does no I/O of its own. */
export interface FileAccess {
  /** The text of the file, or undefined when it does not exist or cannot be read. */
  read(path: string): string | undefined;
  /** Why a path that exists was not read: not a file at all (a FIFO, a device, a socket: a tool would block on it
   *  or read it without end), or larger than the reader takes; undefined when it was read or is missing. */
  problem?(path: string): { kind: 'notAFile' | 'tooLarge'; reason: string } | undefined;
  /** The entries of a folder (not following links), or undefined when it cannot be listed. */
  list?(dir: string): Array<{ name: string; dir: boolean }> | undefined;
}
