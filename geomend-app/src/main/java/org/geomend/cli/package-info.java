/**
 * The {@code geomend} command line (picocli): {@link org.geomend.cli.Main} and one class per
 * sub-command. Exit codes: 0 success, 2 bad usage or bad input (one line naming the file and line),
 * 1 any other failure. Progress goes to stderr and only when stderr is a terminal.
 */
package org.geomend.cli;
