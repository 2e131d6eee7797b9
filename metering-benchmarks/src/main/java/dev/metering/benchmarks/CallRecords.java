package dev.metering.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The calls an instance of the scale harness made, one record each, written to a file as
 * they are made (so that the instance's heap holds only a buffer of them) and read back
 * by the coordinator: for a metered call its organization, when it ended, how long it
 * took and whether it succeeded; for a plain call how long it took.
 */
final class CallRecords {

	private static final byte METERED = 0;

	private static final byte FAILED = 1;

	private static final byte PLAIN = 2;

	private static final byte WARM_UP = 3;

	private CallRecords() {
	}

	/** Writes the records of one thread. */
	static final class Writer implements AutoCloseable {

		private final DataOutputStream out;

		Writer(Path file) {
			try {
				this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 14));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/** A metered call made before the load, billed like the others. */
		void warmUp(int organization, long endMillis) {
			write(WARM_UP, organization, endMillis, 0);
		}

		void metered(int organization, long endMillis, long nanos, boolean succeeded) {
			write(succeeded ? METERED : FAILED, organization, endMillis, nanos);
		}

		void plain(long nanos) {
			write(PLAIN, -1, 0, nanos);
		}

		private void write(byte kind, int organization, long endMillis, long nanos) {
			try {
				this.out.writeByte(kind);
				this.out.writeInt(organization);
				this.out.writeLong(endMillis);
				this.out.writeLong(nanos);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() {
			try {
				this.out.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/**
	 * Reads the records of every file.
	 */
	static Calls read(List<Path> files) {
		Calls.Builder calls = new Calls.Builder();
		for (Path file : files) {
			try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
				while (true) {
					byte kind;
					try {
						kind = in.readByte();
					}
					catch (EOFException ex) {
						break;
					}
					int organization = in.readInt();
					long endMillis = in.readLong();
					long nanos = in.readLong();
					calls.add(kind, organization, endMillis, nanos);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return calls.build();
	}

	/**
	 * The calls of a run.
	 *
	 * @param billedOrganizations the organization of each call billed (warm-up and
	 * measured), in no order
	 * @param billedMillis when each of them ended
	 * @param measured whether each of them was made under the measured load (not a
	 * warm-up)
	 * @param meteredNanos how long each metered call of the load took, failed ones
	 * included
	 * @param meteredOrganizations the organization of each of them
	 * @param plainNanos how long each plain call of the load took
	 * @param failures metered calls that threw
	 */
	record Calls(int[] billedOrganizations, long[] billedMillis, boolean[] measured, long[] meteredNanos,
			int[] meteredOrganizations, long[] plainNanos, long failures) {

		private static final class Builder {

			private int[] organizations = new int[1024];

			private long[] millis = new long[1024];

			private boolean[] measured = new boolean[1024];

			private int billed;

			private long[] metered = new long[1024];

			private int[] meteredOrganizations = new int[1024];

			private int meteredCount;

			private long[] plain = new long[1024];

			private int plainCount;

			private long failures;

			void add(byte kind, int organization, long endMillis, long nanos) {
				switch (kind) {
					case METERED, WARM_UP -> {
						if (this.billed == this.organizations.length) {
							this.organizations = Arrays.copyOf(this.organizations, this.billed * 2);
							this.millis = Arrays.copyOf(this.millis, this.billed * 2);
							this.measured = Arrays.copyOf(this.measured, this.billed * 2);
						}
						this.organizations[this.billed] = organization;
						this.millis[this.billed] = endMillis;
						this.measured[this.billed] = kind == METERED;
						this.billed++;
						if (kind == METERED) {
							meteredNanos(organization, nanos);
						}
					}
					case FAILED -> {
						this.failures++;
						meteredNanos(organization, nanos);
					}
					case PLAIN -> {
						if (this.plainCount == this.plain.length) {
							this.plain = Arrays.copyOf(this.plain, this.plainCount * 2);
						}
						this.plain[this.plainCount++] = nanos;
					}
					default -> throw new IllegalStateException("No such record: " + kind);
				}
			}

			private void meteredNanos(int organization, long nanos) {
				if (this.meteredCount == this.metered.length) {
					this.metered = Arrays.copyOf(this.metered, this.meteredCount * 2);
					this.meteredOrganizations = Arrays.copyOf(this.meteredOrganizations, this.meteredCount * 2);
				}
				this.meteredOrganizations[this.meteredCount] = organization;
				this.metered[this.meteredCount++] = nanos;
			}

			Calls build() {
				return new Calls(Arrays.copyOf(this.organizations, this.billed),
						Arrays.copyOf(this.millis, this.billed), Arrays.copyOf(this.measured, this.billed),
						Arrays.copyOf(this.metered, this.meteredCount),
						Arrays.copyOf(this.meteredOrganizations, this.meteredCount),
						Arrays.copyOf(this.plain, this.plainCount), this.failures);
			}

		}

	}

}
