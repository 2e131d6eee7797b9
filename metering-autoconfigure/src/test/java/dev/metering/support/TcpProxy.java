package dev.metering.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of a local server, whose connections a test cuts and lets through
 * again: a database that goes away and comes back, as a network makes it. While cut, it
 * closes every connection it carries and each new one as soon as it is made, so that clients
 * fail at once rather than wait for a timeout.
 */
public final class TcpProxy implements AutoCloseable {

	private final int targetPort;

	private final ServerSocket server;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private volatile boolean cut;

	public TcpProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** Closes every connection, and each new one, until {@link #resume()}. */
	public void cut() {
		this.cut = true;
		this.sockets.forEach(TcpProxy::closeQuietly);
	}

	public void resume() {
		this.cut = false;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		cut();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (!this.cut) {
					connect(client);
				}
				else {
					closeQuietly(client);
				}
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void connect(Socket client) {
		Socket upstream;
		try {
			upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
		}
		catch (IOException ex) {
			closeQuietly(client);
			return;
		}
		this.sockets.add(client);
		this.sockets.add(upstream);
		if (this.cut) {
			// cut meanwhile
			for (Socket socket : new Socket[] { client, upstream }) {
				closeQuietly(socket);
				this.sockets.remove(socket);
			}
			return;
		}
		pipe(client, upstream);
		pipe(upstream, client);
	}

	private void pipe(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// cut
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		}, "tcp-proxy-pipe");
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closed already
		}
	}

}
