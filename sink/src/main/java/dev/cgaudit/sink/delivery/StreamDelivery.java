package dev.cgaudit.sink.delivery;

import java.io.IOException;
import java.io.PrintWriter;

/** JSON Lines to a stream (standard output when no {@code --to} is given). */
public final class StreamDelivery implements Delivery {

    private final PrintWriter out;
    private final String name;

    public StreamDelivery(PrintWriter out, String name) {
        this.out = out;
        this.name = name;
    }

    @Override
    public String target() {
        return name;
    }

    @Override
    public void deliver(Finding finding) throws DeliveryException {
        out.println(finding.json());
        if (out.checkError()) {
            throw new PermanentDeliveryException(name + " is closed", null);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
        if (out.checkError()) {
            throw new IOException(name + " is closed");
        }
    }
}
