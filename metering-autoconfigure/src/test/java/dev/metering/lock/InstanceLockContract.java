package dev.metering.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.support.MutableClock;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the locks in the database must do, run against a real database by each subclass:
 * one instance at a time runs the work, the others learn which holds it, and a lock whose
 * holder died is taken over once its hold has passed.
 */
abstract class InstanceLockContract {

	private static final Duration HOUR = Duration.ofHours(1);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

	/** A lock of its own for each test, on a database the tests of the class share. */
	private final String name = "test " + UUID.randomUUID();

	abstract DataSource dataSource();

	@BeforeEach
	void createSchema() {
		new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
	}

	@Test
	void whileOneInstanceHoldsTheLockAnotherSkipsTheWorkAndLearnsWhichHoldsIt() {
		AtomicInteger runs = new AtomicInteger();
		List<LockTurn> others = new ArrayList<>();
		LockTurn first = instance("instance-1").runAlone(this.name, HOUR, () -> {
			runs.incrementAndGet();
			others.add(instance("instance-2").runAlone(this.name, HOUR, runs::incrementAndGet));
		});
		assertThat(first.ran()).isTrue();
		this.clock.set(this.clock.instant().plus(Duration.ofMinutes(59)));
		others.add(instance("instance-2").runAlone(this.name, HOUR, runs::incrementAndGet));

		assertThat(runs).as("only the first instance ran it").hasValue(1);
		assertThat(others).as("while running, then done but within the hold")
			.containsExactly(LockTurn.heldBy("instance-1", Instant.parse("2026-12-01T11:00:00Z")),
					LockTurn.heldBy("instance-1", Instant.parse("2026-12-01T11:00:00Z")));
	}

	@Test
	void aLockWhoseHolderDiedIsTakenOverOnceItsHoldHasPassed() {
		// the first instance takes the lock and dies before its work ends, never giving
		// it back
		instance("instance-1").runAlone(this.name, HOUR, () -> {
		});
		this.clock.set(this.clock.instant().plus(HOUR));

		assertThat(instance("instance-2").runAlone(this.name, HOUR, () -> {
		}).ran()).isTrue();
		assertThat(instance("instance-3").runAlone(this.name, HOUR, () -> {
		})).isEqualTo(LockTurn.heldBy("instance-2", Instant.parse("2026-12-01T12:00:00Z")));
	}

	@Test
	void workThatFailsGivesTheLockBackAtOnce() {
		assertThatIllegalStateException().isThrownBy(() -> instance("instance-1").runAlone(this.name, HOUR, () -> {
			throw new IllegalStateException("provider down");
		})).withMessage("provider down");

		assertThat(instance("instance-2").runAlone(this.name, HOUR, () -> {
		}).ran()).isTrue();
	}

	@Test
	void theInstanceThatHoldsTheLockMayTakeItAgain() {
		JdbcInstanceLock instance = instance("instance-1");
		AtomicInteger runs = new AtomicInteger();
		instance.runAlone(this.name, HOUR, runs::incrementAndGet);
		this.clock.set(this.clock.instant().plus(Duration.ofMinutes(30)));

		assertThat(instance.runAlone(this.name, HOUR, runs::incrementAndGet).ran()).isTrue();
		assertThat(runs).hasValue(2);
		assertThat(instance("instance-2").runAlone(this.name, HOUR, runs::incrementAndGet).heldUntil())
			.as("held an hour from when it was taken again")
			.isEqualTo(Instant.parse("2026-12-01T11:30:00Z"));
	}

	@Test
	void locksOfOtherNamesAreTakenApart() {
		instance("instance-1").runAlone(this.name, HOUR, () -> {
		});

		assertThat(instance("instance-2").runAlone(this.name + " too", HOUR, () -> {
		}).ran()).isTrue();
	}

	@Test
	void ofManyInstancesTryingAtOnceOneRunsTheWorkWhetherTheLockIsNewOrHasLapsed() throws Exception {
		assertThat(atOnce(8)).as("the lock's row is inserted by one").isOne();
		this.clock.set(this.clock.instant().plus(HOUR));
		assertThat(atOnce(8)).as("the lapsed lock's row is updated by one").isOne();
	}

	/**
	 * @return how many of the instances ran the work
	 */
	private int atOnce(int instances) throws Exception {
		AtomicInteger runs = new AtomicInteger();
		CyclicBarrier start = new CyclicBarrier(instances);
		ExecutorService threads = Executors.newFixedThreadPool(instances);
		try {
			List<Future<LockTurn>> turns = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				JdbcInstanceLock instance = instance("instance-" + i);
				turns.add(threads.submit(() -> {
					start.await();
					return instance.runAlone(this.name, HOUR, runs::incrementAndGet);
				}));
			}
			for (Future<LockTurn> turn : turns) {
				turn.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
		return runs.get();
	}

	private JdbcInstanceLock instance(String holder) {
		return new JdbcInstanceLock(StoreJdbc.client(dataSource()), holder, this.clock);
	}

}
