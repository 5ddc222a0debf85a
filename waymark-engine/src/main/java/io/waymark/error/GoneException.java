package io.waymark.error;

import java.util.List;

/** The thing existed but is over for good (an expired kiosk run, a finished wizard). */
public final class GoneException extends WaymarkException {
    public GoneException(String message) {
        super(message, List.of());
    }

    @Override
    public int status() {
        return 410;
    }

    @Override
    public String title() {
        return "Gone";
    }
}
