package dev.metering.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * An in-memory {@link Cache} whose entries expire a fixed time after they were written: the
 * default when the application configures no cache of that name.
 */
public final class ExpiringCache implements Cache {

	private final String name;

	private final Duration timeToLive;

	private final Clock clock;

	private final Map<Object, Entry> entries = new ConcurrentHashMap<>();

	public ExpiringCache(String name, Duration timeToLive, Clock clock) {
		this.name = name;
		this.timeToLive = timeToLive;
		this.clock = clock;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public Object getNativeCache() {
		return this.entries;
	}

	@Override
	public ValueWrapper get(Object key) {
		Entry entry = this.entries.get(key);
		if (entry == null) {
			return null;
		}
		if (!entry.expiresAt().isAfter(this.clock.instant())) {
			this.entries.remove(key, entry);
			return null;
		}
		return new SimpleValueWrapper(entry.value());
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T get(Object key, Class<T> type) {
		ValueWrapper wrapper = get(key);
		Object value = (wrapper != null) ? wrapper.get() : null;
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException("Cached value of " + key + " is not a " + type.getName());
		}
		return (T) value;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T get(Object key, Callable<T> valueLoader) {
		ValueWrapper wrapper = get(key);
		if (wrapper != null) {
			return (T) wrapper.get();
		}
		try {
			T value = valueLoader.call();
			put(key, value);
			return value;
		}
		catch (Exception ex) {
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
	}

	@Override
	public void put(Object key, Object value) {
		this.entries.put(key, new Entry(value, this.clock.instant().plus(this.timeToLive)));
	}

	@Override
	public void evict(Object key) {
		this.entries.remove(key);
	}

	@Override
	public void clear() {
		this.entries.clear();
	}

	private record Entry(Object value, Instant expiresAt) {
	}

}
