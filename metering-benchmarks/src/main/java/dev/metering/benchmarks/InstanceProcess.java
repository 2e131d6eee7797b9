package dev.metering.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScaleInstance} in a JVM of its own, started with the class path of this one:
 * its output goes to a log file, and the lines of its protocol ({@code scale …}) are
 * handed to the coordinator as well.
 */
final class InstanceProcess implements AutoCloseable {

	private static final String PROTOCOL = "scale ";

	private final Process process;

	private final Path log;

	private final PrintWriter commands;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private InstanceProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
		this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
		Thread reader = new Thread(this::copyOutput, "output-" + log.getFileName());
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Starts {@link ScaleInstance} with these JVM options (system properties, heap).
	 */
	static InstanceProcess start(List<String> jvmOptions, Path log) throws IOException {
		List<String> command = new java.util.ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(ScaleInstance.class.getName());
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		return new InstanceProcess(process, log);
	}

	/**
	 * The next protocol line, without its {@code scale } prefix.
	 * @throws IllegalStateException if none comes within {@code timeout} or the instance
	 * ended
	 */
	String await(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			String line = this.lines.poll(200, TimeUnit.MILLISECONDS);
			if (line != null) {
				return line;
			}
			if (!this.process.isAlive() && this.lines.isEmpty()) {
				throw new IllegalStateException(
						"The instance ended with " + this.process.exitValue() + "; see " + this.log);
			}
		}
		throw new IllegalStateException("The instance did not answer within " + timeout + "; see " + this.log);
	}

	void send(String command) {
		this.commands.println(command);
	}

	/** Waits for the instance to end by itself, else ends it. */
	@Override
	public void close() throws InterruptedException {
		if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
			this.process.destroy();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private void copyOutput() {
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				Writer file = Files.newBufferedWriter(this.log)) {
			String line;
			while ((line = output.readLine()) != null) {
				file.write(line);
				file.write('\n');
				file.flush();
				if (line.startsWith(PROTOCOL)) {
					this.lines.add(line.substring(PROTOCOL.length()));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
