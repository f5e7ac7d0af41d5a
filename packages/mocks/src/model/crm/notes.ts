import type { CustomerNote } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { MockNote, MockUser } from '../../state.js';
import type { CrmCore } from './core.js';

/** A note, by the customer it is on and its own id (both in the route's path), as the server's NoteService takes it. */
export interface NoteRef {
  customerId: number;
  noteId: number;
}

/** What a note write sends: the note's text. */
export interface NoteInput {
  note: string;
}

/**
 * Notes on a customer, and the recordings behind signed URLs. The note methods take the caller, then what they act
 * on, then the input, like the server's NoteService.
 */
export function crmNotes(core: CrmCore) {
  const { state, now, crm, visibleCustomer, indexes, serveNote, requireNote } = core;
  return {
    listNotes(caller: MockUser, customerId: number) {
      const customer = visibleCustomer(customerId, caller);
      const items = (indexes().notes.get(customer.id) ?? []).map(serveNote);
      return { customer_id: customer.id, items, total_count: items.length };
    },

    /** Adds a note to the customer as `caller`, at `at` (now by default). */
    addNote(
      caller: MockUser,
      customerId: number,
      { note: text, at = now() }: NoteInput & { at?: number },
    ): CustomerNote {
      const customer = visibleCustomer(customerId, caller);
      const note: MockNote = {
        id: ++state.sequences.note,
        customer_id: customer.id,
        note: text,
        created_by: caller.id,
        created_at: at,
        updated_at: at,
      };
      crm().notes.set(note.id, note);
      return serveNote(note);
    },

    /** Only the author or the CEO (`403`). */
    updateNote(caller: MockUser, { customerId, noteId }: NoteRef, { note: text }: NoteInput): CustomerNote {
      const note = requireNote({ customer: visibleCustomer(customerId, caller), noteId, caller, change: true });
      note.note = text;
      note.updated_at = now();
      return serveNote(note);
    },

    deleteNote(caller: MockUser, { customerId, noteId }: NoteRef): string {
      const note = requireNote({ customer: visibleCustomer(customerId, caller), noteId, caller, change: true });
      crm().notes.delete(note.id);
      return CRM_MESSAGES.noteDeleted;
    },

    /**
     * The recording behind a file id, or `404`. With a token (`viewer`), the recording of an archived customer is the
     * CEO's only; a signed URL plays it whoever follows the link.
     */
    recording(fileId: string, viewer: MockUser | undefined) {
      const recording = crm().recordings.get(fileId);
      const customer = recording && crm().customers.get(recording.customer_id);
      if (!recording || (viewer && viewer.role !== 'CEO' && customer?.archived_at !== null)) {
        throw new MockApiError('NOT_FOUND', CRM_MESSAGES.recordingNotFound);
      }
      return recording;
    },
  };
}
