import type { CustomerNote } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { MockNote, MockUser } from '../../state.js';
import type { CrmCore } from './core.js';

/** Notes on a customer, and the recordings behind signed URLs. */
export function crmNotes(core: CrmCore) {
  const { state, now, crm, visibleCustomer, indexes, serveNote, requireNote } = core;
  return {
    listNotes(id: number, caller: MockUser) {
      const customer = visibleCustomer(id, caller);
      const items = (indexes().notes.get(customer.id) ?? []).map(serveNote);
      return { customer_id: customer.id, items, total_count: items.length };
    },

    /** Adds a note to customer `id` as `caller`, at `at` (now by default). */
    addNote({
      id,
      caller,
      text,
      at = now(),
    }: {
      id: number;
      caller: MockUser;
      text: string;
      at?: number;
    }): CustomerNote {
      const customer = visibleCustomer(id, caller);
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
    updateNote({
      id,
      noteId,
      caller,
      text,
    }: {
      id: number;
      noteId: number;
      caller: MockUser;
      text: string;
    }): CustomerNote {
      const note = requireNote({ customer: visibleCustomer(id, caller), noteId, caller, change: true });
      note.note = text;
      note.updated_at = now();
      return serveNote(note);
    },

    deleteNote(id: number, noteId: number, caller: MockUser): string {
      const note = requireNote({ customer: visibleCustomer(id, caller), noteId, caller, change: true });
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
