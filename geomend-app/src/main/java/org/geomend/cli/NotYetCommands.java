package org.geomend.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Sub-commands the SPEC names whose implementation has not landed yet: each says so on stderr and
 * exits 1, so scripts never mistake them for a result.
 */
final class NotYetCommands {

    private NotYetCommands() {}

    abstract static class NotYet implements Callable<Integer> {
        @Unmatched java.util.List<String> ignored;

        abstract String what();

        @Override public Integer call() {
            System.err.println("geomend: " + what() + " is not implemented in this build yet (see README, 'Status').");
            return 1;
        }
    }

    @Command(name = "train", description = "U-Net student training (not implemented yet).")
    static final class Train extends NotYet { String what() { return "train"; } }
}
