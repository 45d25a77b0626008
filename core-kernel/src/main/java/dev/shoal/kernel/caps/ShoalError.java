package dev.shoal.kernel.caps;

/**
 * Every error a Shoal kernel, monitor or library operation can report, each with its description: one list, as in
 * Barrelfish's {@code errors/errno.fugu}.
 *
 * <p><b>How errors are reported.</b> Every capability operation ({@link CapOps}, {@link CSpace} look-ups,
 * {@link CapDescriptor} decoding) either succeeds or throws a {@link ShoalException} carrying one of these codes,
 * and it validates everything before it changes anything, so a caller that catches the exception finds the CSpaces
 * and the mapping database as they were. Nothing returns error codes. That suits capability operations: a failure is
 * bad input from the invoking program (a wrong address, a missing right), not an expected outcome on a hot path
 * (STYLE habit 7; the hot path, a TLB hit, never touches capabilities). Exceptions other than
 * {@code ShoalException} from these operations are bugs.
 *
 * <p><b>Extending.</b> Add a constant to the section of your subsystem (or start a section) with a description that
 * says what went wrong from the caller's point of view. {@link #code()} is the ordinal: a monitor may send it to
 * another core, because every core runs the same build, but never persist it.
 */
public enum ShoalError
{
    // ---- capability addressing (CSpace look-ups)
    INVALID_CPTR("the capability address does not name a slot of this CSpace"),
    SLOT_EMPTY("the addressed slot holds no capability"),
    SLOT_IN_USE("the destination slot already holds a capability"),
    CNODE_FULL("the destination CNode has fewer slots after the destination slot than objects to place"),
    CNODE_BAD_SIZE("the CNode's number of slots does not fit this level of the CSpace"),
    WRONG_CORE("the CSpace belongs to another core's CPU driver"),

    // ---- types and rights
    WRONG_TYPE("the capability has the wrong type for this operation"),
    INSUFFICIENT_RIGHTS("the capability lacks a right the operation needs"),

    // ---- retype
    RETYPE_INVALID_SOURCE_TYPE("the source capability's type cannot be retyped into the requested type"),
    RETYPE_BAD_SIZE("the object size is not valid for the requested type"),
    RETYPE_BAD_ALIGNMENT("the objects would not be aligned as the requested type needs"),
    RETYPE_BAD_COUNT("the number of objects to create must be at least one"),
    RETYPE_OUT_OF_RANGE("the requested objects do not fit inside the source capability's memory"),
    RETYPE_OVERLAPS_DESCENDANTS("the source already has descendants overlapping the requested range"),

    // ---- delete, revoke and distribution (the monitor resolves these)
    CAP_LOCKED("the capability is locked by a distributed operation in progress or is being deleted"),
    DELETE_LAST_OWNED("the last local copy of a capability this core owns has copies on other cores: " +
        "delete it through the monitor, which moves ownership first"),
    RETRY_THROUGH_MONITOR("the capability has relations on other cores: retry the operation through the monitor"),
    NOT_OWNER("this core does not own the capability: the operation must go through the monitor of its owner"),
    CORE_UNRESPONSIVE("a core did not answer a distributed operation within its timeout: it is presumed halted"),
    CAP_NOT_FOUND("no capability matching the description exists on this core"),

    // ---- capability descriptors (capabilities crossing cores)
    DESCRIPTOR_MALFORMED("the capability descriptor is malformed"),

    // ---- paging (page tables, TLB, VNode invocations)
    MAPPING_EXISTS("the virtual range is already mapped"),
    NOT_MAPPED("the virtual address is not mapped"),
    PAGE_FAULT("the access found no mapping that allows it"),
    VNODE_SLOT_INVALID("the page-table entries named lie outside the table's 512 entries"),
    FRAME_RANGE_INVALID("the offset and page count do not name whole pages inside the frame"),
    VNODE_ALREADY_INSTALLED("the page table is already linked into a parent table: unlink it there first"),
    ASID_IN_USE("the address-space id is already bound to another root table on this core"),
    OUT_OF_MEMORY("the RAM capability has no free range big enough for the request"),

    // ---- general
    INVALID_ARGUMENT("an argument is outside the range the operation accepts"),

    // ---- added later: codes are ordinals, so new errors go here, after every older one
    REMOTE_FAILURE("another core failed the operation with an unexpected exception (a bug there) or with a code " +
        "this build does not know: the detail names it"),

    // ---- name service and binding (the monitor's name server, BindingOperation)
    NAME_TAKEN("another service is already registered under the name"),
    NAME_NOT_FOUND("no service is registered under the name"),
    SERVICE_GONE("the service registered under the name is no longer exported by its core"),

    // ---- remote procedure calls (libos RPC stubs and servers)
    RPC_INTERFACE_MISMATCH("the service implements another RPC interface, or another version of it"),
    RPC_STUB_CLOSED("the RPC stub is closed"),
    RPC_NOT_REMOTE("the method is not part of the stub's RPC interface"),
    RPC_MALFORMED("a request or reply of the remote call did not decode"),
    RPC_SERVER_EXCEPTION("the server's method threw an exception: the detail names its class and message");

    private static final ShoalError[] VALUES = values();

    private final String description;

    ShoalError(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }

    /** A number for this error that another core of the same build decodes with {@link #fromCode(int)}. */
    public int code()
    {
        return ordinal();
    }

    /** The error with {@code code}, or null when there is none. */
    public static ShoalError fromCode(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }

    /** An exception carrying this error and a detail that names the values involved (e.g. the cptr). */
    public ShoalException exception(final String detail)
    {
        return new ShoalException(this, detail);
    }

    /** An exception carrying this error without detail. */
    public ShoalException exception()
    {
        return new ShoalException(this, null);
    }
}
