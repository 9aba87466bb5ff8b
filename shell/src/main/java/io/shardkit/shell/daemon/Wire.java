package io.shardkit.shell.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The daemon's protocol on its Unix socket. A request: magic, kind, the client's build stamp, then
 * for {@link #RUN} its working directory, environment and arguments. The answer is a stream of
 * frames (type, length, bytes): standard output, standard error, and last the exit code, or a
 * refusal the client answers by running the command itself.
 */
final class Wire {
    static final int MAGIC = 0x534b4431; // "SKD1"
    static final byte RUN = 1;
    static final byte STATUS = 2;
    static final byte STOP = 3;

    static final byte OUT = 1;
    static final byte ERR = 2;
    static final byte EXIT = 3;
    static final byte REFUSED = 4;

    private Wire() {}

    /** Every request's opening: magic, kind, the client's build stamp. */
    static void request(DataOutputStream out, byte kind, String stamp) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(kind);
        writeString(out, stamp);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 16 << 20) throw new IOException("bad string length " + n);
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** One frame; frames of both streams interleave on one socket, so each is written whole. */
    static void frame(DataOutputStream out, byte type, byte[] b, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(b, off, len);
            out.flush();
        }
    }

    /**
     * Streams straight on the channel: the JDK's Channels.newInputStream/newOutputStream share one
     * lock, so a thread blocked reading (the daemon watching for the client to go away) would stop
     * the command's output.
     */
    static InputStream in(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    static OutputStream out(SocketChannel ch) {
        return stream((b, off, len) -> {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** Where an output stream's bytes go: the socket itself, or one frame each. */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    static OutputStream stream(Sink sink) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) sink.write(b, off, len);
            }
        };
    }
}
