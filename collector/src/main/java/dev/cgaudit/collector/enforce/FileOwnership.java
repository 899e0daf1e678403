package dev.cgaudit.collector.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Owner, group and permission bits of one file: what DAC decides a write with, and what the dac
 * backend records before it changes anything and puts back exactly afterwards.
 *
 * @param mode permission bits only ({@code 07777}), never the file type
 */
public record FileOwnership(long uid, long gid, int mode) {

    static final int PERMISSION_BITS = 07777;
    static final int WRITE_BITS = 0222;
    static final int OWNER_WRITE = 0200;
    static final int GROUP_WRITE = 0020;
    static final int OTHER_WRITE = 0002;

    public FileOwnership {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid are unsigned, found " + uid + ":" + gid);
        }
        if ((mode & ~PERMISSION_BITS) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
        }
    }

    /** Reads the file itself, never a symlink's target (cgroupfs has none; anything else is not ours to follow). */
    public static FileOwnership read(Path file) throws IOException {
        int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return new FileOwnership(Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid), mode & PERMISSION_BITS);
    }

    /**
     * Makes the file exactly this. The mode goes last: while the owner is being changed the old
     * mode still applies, and chown clears no bits a cgroup file has (no setuid/setgid there).
     */
    public void applyTo(Path file) throws IOException {
        Files.setAttribute(file, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Whether DAC lets a writer with these ids write the file, as generic_permission decides for a
     * process without CAP_DAC_OVERRIDE: the owner class if the uid owns it, else the group class if
     * the gid is the file's group, else other. Supplementary groups are not known here.
     */
    public boolean permitsWrite(long writerUid, long writerGid) {
        if (writerUid == uid) {
            return (mode & OWNER_WRITE) != 0;
        }
        if (writerGid == gid) {
            return (mode & GROUP_WRITE) != 0;
        }
        return (mode & OTHER_WRITE) != 0;
    }

    @Override
    public String toString() {
        return uid + ":" + gid + " " + String.format("%04o", mode);
    }
}
