package io.stsdane.relay.server.cli;

/** A command failed for a reason the operator can act on: the message is printed, without a stack trace. */
public class CommandFailure extends Exception {

    public CommandFailure(String message) {
        super(message);
    }
}
