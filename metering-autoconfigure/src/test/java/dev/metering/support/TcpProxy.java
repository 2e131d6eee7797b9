package dev.metering.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of a server (a database), whose line can be cut: every
 * open connection is reset and new ones are refused until it is restored, as when a
 * network partition or a failover takes the server away.
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final InetSocketAddress target;

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private volatile boolean cut;

	public TcpProxy(String targetHost, int targetPort) throws IOException {
		this.target = new InetSocketAddress(targetHost, targetPort);
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "tcp-proxy-" + this.listener.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** The port clients connect to instead of the server's. */
	public int port() {
		return this.listener.getLocalPort();
	}

	/** Resets every open connection and refuses new ones. */
	public void cut() {
		this.cut = true;
		this.open.forEach(TcpProxy::reset);
		this.open.clear();
	}

	/** Lets connections through again. */
	public void restore() {
		this.cut = false;
	}

	@Override
	public void close() throws IOException {
		cut();
		this.listener.close();
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			Socket client;
			try {
				client = this.listener.accept();
			}
			catch (IOException ex) {
				return;
			}
			if (this.cut) {
				reset(client);
				continue;
			}
			try {
				Socket server = new Socket(this.target.getAddress(), this.target.getPort());
				this.open.add(client);
				this.open.add(server);
				pipe(client, server);
				pipe(server, client);
			}
			catch (IOException ex) {
				reset(client);
			}
		}
	}

	private void pipe(Socket from, Socket to) {
		Thread pipe = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// the line was cut, or one side closed
			}
			finally {
				reset(from);
				reset(to);
				this.open.remove(from);
				this.open.remove(to);
			}
		}, "tcp-proxy-pipe");
		pipe.setDaemon(true);
		pipe.start();
	}

	/** Closes a socket with a reset rather than an orderly goodbye. */
	private static void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// closed already
		}
	}

}
