package io.waymark.signal;

import java.util.List;

/** One page of signals and the cursor of the next one (null at the end). */
public record SignalPage(List<Signal> signals, String next) {
}
