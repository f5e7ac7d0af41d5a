// Over 500 lines: one table of seeded customers with the steps that replay it, read together.
import type { CustomerType, Language, Platform } from '@cims/contracts';
import type { BusinessTime } from '@cims/contracts/rules';
import { DateTime } from 'luxon';
import type { MockState } from '../state.js';
import type { CrmModel } from './crm-model.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** One seeded customer; the list is oldest first, so ids grow with `created_at`. */
interface SeedCustomer {
  name: string;
  platform: Platform;
  phone: string;
  /** Where the customer is now; the history walks there from `need_to_call`. */
  status: 'need_to_call' | 'contacted' | 'project_started' | 'continuing' | 'finished' | 'rejected';
  daysAgo: number;
  type?: CustomerType | null;
  language?: Language;
  username?: string;
  assistant?: string;
  notes?: string;
  /** Notes of the notes list, written by the assigned manager (or the CEO when marked `ceo:`). */
  extra?: string[];
  archived?: boolean;
  recall?: boolean;
  recording?: boolean;
}

const SEED_CUSTOMERS: SeedCustomer[] = [
  {
    name: 'Jasur Karimov',
    platform: 'instagram',
    phone: '+998901112233',
    status: 'finished',
    daysAgo: 89,
    username: 'jasur.k',
    notes: 'Dental clinic owner, 12 years in business. Wants a booking bot.',
    extra: ['Contract signed, 50% paid.', 'ceo:Asked for a case study for our website.'],
  },
  {
    name: 'Dilnoza Rahimova',
    platform: 'telegram',
    phone: '+998911234567',
    status: 'continuing',
    daysAgo: 88,
    username: 'dilnoza_r',
    language: 'uz',
    notes: 'Online shop for kids clothes, 3 years. Budget agreed.',
  },
  {
    name: 'Aleksandr Petrov',
    platform: 'website',
    phone: '+79161234567',
    status: 'rejected',
    daysAgo: 86,
    type: 'international',
    language: 'ru',
    notes: 'Магазин электроники, ищет CRM. Дорого для них.',
  },
  {
    name: 'Malika Tursunova',
    platform: 'telegram_bot',
    phone: '+998933456789',
    status: 'finished',
    daysAgo: 83,
    username: 'malika_t',
    assistant: 'Cognilabs AI',
    notes: 'Fitness studio, 6 years, two branches.',
  },
  {
    name: 'Bekzod Aliyev',
    platform: 'phone_call',
    phone: '+998941239876',
    status: 'rejected',
    daysAgo: 80,
    type: null,
    notes: 'Called about pricing only.',
    archived: true,
  },
  {
    name: 'Sarah Johnson',
    platform: 'linkedin',
    phone: '+12025550143',
    status: 'project_started',
    daysAgo: 76,
    type: 'international',
    language: 'en',
    notes: 'Founder of a retail marketplace, big budget, wants to start this week.',
    extra: ['Kick-off call booked.'],
  },
  {
    name: 'Otabek Yusupov',
    platform: 'facebook',
    phone: '+998975554433',
    status: 'contacted',
    daysAgo: 72,
    language: 'uz',
  },
  {
    name: 'Nilufar Saidova',
    platform: 'referral',
    phone: '+998998887766',
    status: 'continuing',
    daysAgo: 68,
    notes: 'Pharmacy chain, 15 years. Director involved.',
    extra: ['Second phase discussed.'],
  },
  {
    name: 'Timur Khasanov',
    platform: 'tiktok',
    phone: '+998330001122',
    status: 'need_to_call',
    daysAgo: 64,
    username: 'timur.kh',
    recall: true,
  },
  {
    name: 'Ahmed Al Mansouri',
    platform: 'whatsapp',
    phone: '+971501234567',
    status: 'finished',
    daysAgo: 60,
    type: 'international',
    language: 'en',
    notes: 'Clinic group in Dubai, large budget, urgent.',
    recording: true,
  },
  {
    name: 'Gulnora Ismoilova',
    platform: 'instagram',
    phone: '+998881234567',
    status: 'rejected',
    daysAgo: 56,
    username: 'gulnora.design',
  },
  {
    name: 'Rustam Nazarov',
    platform: 'email',
    phone: '+998909876543',
    status: 'project_started',
    daysAgo: 52,
    type: null,
    notes: 'Sports club, 4 years, has a budget.',
  },
  {
    name: 'Elena Smirnova',
    platform: 'youtube',
    phone: '+79031234567',
    status: 'contacted',
    daysAgo: 48,
    type: 'international',
    language: 'ru',
    notes: 'Школа танцев, хочет бота для записи.',
  },
  {
    name: 'Sherzod Mirzaev',
    platform: 'walk_in',
    phone: '+998935551212',
    status: 'continuing',
    daysAgo: 44,
    notes: 'Owner of a furniture store, 8 years.',
  },
  {
    name: 'Kamola Ergasheva',
    platform: 'telegram',
    phone: '+998977771234',
    status: 'need_to_call',
    daysAgo: 40,
    username: 'kamola_e',
    extra: ['Did not answer twice.'],
  },
  {
    name: 'Minho Park',
    platform: 'website',
    phone: '+821012345678',
    status: 'project_started',
    daysAgo: 36,
    type: 'international',
    language: 'en',
    notes: 'Retail shop owner, expanding to Tashkent, soon.',
  },
  {
    name: 'Farrukh Umarov',
    platform: 'other',
    phone: '+998951234567',
    status: 'rejected',
    daysAgo: 33,
    archived: true,
  },
  {
    name: 'Zarina Qodirova',
    platform: 'instagram',
    phone: '+998901230000',
    status: 'contacted',
    daysAgo: 30,
    username: 'zarina.beauty',
    notes: 'Beauty salon, 2 years.',
  },
  {
    name: 'Mehmet Yilmaz',
    platform: 'whatsapp',
    phone: '+905321234567',
    status: 'continuing',
    daysAgo: 27,
    type: 'international',
    language: 'en',
    notes: 'Textile exporter, owner, 20 years in business.',
  },
  {
    name: 'Aziz Rakhmatov',
    platform: 'telegram_bot',
    phone: '+998912223344',
    status: 'finished',
    daysAgo: 24,
    assistant: 'Cognilabs AI',
  },
  {
    name: 'Shahnoza Valieva',
    platform: 'facebook',
    phone: '+998934445566',
    status: 'need_to_call',
    daysAgo: 21,
    type: null,
    recall: true,
    notes: 'Asked to call back next week.',
  },
  {
    name: 'Doston Sobirov',
    platform: 'phone_call',
    phone: '+998946667788',
    status: 'contacted',
    daysAgo: 18,
    recording: true,
    notes: 'Restaurant owner, wants delivery bot.',
  },
  {
    name: 'Lola Nurmatova',
    platform: 'referral',
    phone: '+998997778899',
    status: 'project_started',
    daysAgo: 16,
    notes: 'Stomatolog, 7 yil tajriba, katta budjet.',
    language: 'uz',
  },
  {
    name: 'Anna Kuznetsova',
    platform: 'email',
    phone: '+77011234567',
    status: 'rejected',
    daysAgo: 14,
    type: 'international',
    language: 'ru',
  },
  {
    name: 'Sardor Tojiev',
    platform: 'tiktok',
    phone: '+998338889900',
    status: 'need_to_call',
    daysAgo: 12,
    username: 'sardor.t',
  },
  {
    name: 'Madina Hamidova',
    platform: 'instagram',
    phone: '+998905554321',
    status: 'contacted',
    daysAgo: 10,
    username: 'madina.h',
    extra: ['Sent the price list.'],
  },
  {
    name: 'Lukas Weber',
    platform: 'linkedin',
    phone: '+4915112345678',
    status: 'need_to_call',
    daysAgo: 8,
    type: 'international',
    language: 'en',
    notes: 'CEO of a logistics start-up, 2 years.',
  },
  {
    name: 'Bobur Ortiqov',
    platform: 'telegram',
    phone: '+998917654321',
    status: 'continuing',
    daysAgo: 7,
    username: 'bobur_o',
  },
  {
    name: 'Feruza Olimova',
    platform: 'website',
    phone: '+998939876543',
    status: 'need_to_call',
    daysAgo: 6,
    type: null,
    archived: true,
  },
  {
    name: 'Ulugbek Sharipov',
    platform: 'walk_in',
    phone: '+998903332211',
    status: 'contacted',
    daysAgo: 5,
    notes: 'Gym owner, urgent: wants the bot before the new season.',
  },
  {
    name: 'Nodira Azimova',
    platform: 'telegram_bot',
    phone: '+998975550011',
    status: 'need_to_call',
    daysAgo: 4,
    assistant: 'Cognilabs AI',
    recall: true,
  },
  {
    name: 'Ivan Sokolov',
    platform: 'youtube',
    phone: '+79261234567',
    status: 'contacted',
    daysAgo: 3,
    type: 'international',
    language: 'ru',
  },
  {
    name: 'Diyora Xolmatova',
    platform: 'instagram',
    phone: '+998996665544',
    status: 'project_started',
    daysAgo: 2,
    username: 'diyora.x',
    notes: 'Clinic administrator, has a budget.',
  },
  { name: 'Alisher Qosimov', platform: 'facebook', phone: '+998881112299', status: 'need_to_call', daysAgo: 2 },
  {
    name: 'Sevinch Hakimova',
    platform: 'telegram',
    phone: '+998941110022',
    status: 'rejected',
    daysAgo: 1,
    username: 'sevinch_h',
  },
  {
    name: 'Javohir Ahmedov',
    platform: 'phone_call',
    phone: '+998951112233',
    status: 'contacted',
    daysAgo: 1,
    notes: 'Shop owner, 5 years.',
  },
  {
    name: 'Emily Clark',
    platform: 'website',
    phone: '+12125550199',
    status: 'need_to_call',
    daysAgo: 0,
    type: 'international',
    language: 'en',
  },
  {
    name: 'Muhammadali Rasulov',
    platform: 'instagram',
    phone: '+998909990011',
    status: 'need_to_call',
    daysAgo: 0,
    username: 'm.rasulov',
    notes: 'Owner of a dental clinic, 10 years, urgent.',
  },
  {
    name: 'Oysha Karimova',
    platform: 'telegram_bot',
    phone: '+998931239999',
    status: 'contacted',
    daysAgo: 0,
    assistant: 'Cognilabs AI',
  },
  {
    name: 'Shavkat Mahmudov',
    platform: 'referral',
    phone: '+998977654321',
    status: 'need_to_call',
    daysAgo: 0,
    type: null,
  },
];

/** The path from `need_to_call` to each status, as a lead usually walks it. */
const PATHS: Record<SeedCustomer['status'], string[]> = {
  need_to_call: [],
  contacted: ['contacted'],
  project_started: ['contacted', 'project_started'],
  continuing: ['contacted', 'project_started', 'continuing'],
  finished: ['contacted', 'project_started', 'continuing', 'finished'],
  rejected: ['contacted', 'rejected'],
};

/** A short, real WAV (8 kHz, 8-bit mono): 0.6 s of a 440 Hz tone that fades out, so an app can play it. */
function toneWav(): Blob {
  const rate = 8000;
  const samples = Math.round(rate * 0.6);
  const bytes = new Uint8Array(44 + samples);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // PCM header size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate, true); // bytes per second
  view.setUint16(32, 1, true); // block align
  view.setUint16(34, 8, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, samples, true);
  for (let i = 0; i < samples; i++) {
    const fade = 1 - i / samples;
    bytes[44 + i] = Math.round(128 + 90 * fade * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return new Blob([bytes], { type: 'audio/wav' });
}

/** How many customers the seed has (and how many of them are archived). */
export const SEEDED_CUSTOMER_COUNT = SEED_CUSTOMERS.length;
export const SEEDED_ARCHIVED_COUNT = SEED_CUSTOMERS.filter((seed) => seed.archived).length;

/**
 * Fills the CRM with the seeded customers, relative to the clock: created over the last 90 days (some today), walked
 * through their statuses by their sales manager, assigned in turn to the active sales managers, some with notes, a
 * few archived, two with a playable recording. The same clock gives the same data.
 */
export function seedCustomers({
  state,
  crm,
  time,
  now,
}: {
  state: MockState;
  crm: CrmModel;
  time: BusinessTime;
  now: number;
}): void {
  const ceo = [...state.users.values()].find((user) => user.role === 'CEO' && user.is_active);
  const today = DateTime.fromMillis(now, { zone: time.zone }).startOf('day');
  const recording = toneWav();
  SEED_CUSTOMERS.forEach((seed, i) => {
    const planned = today
      .minus({ days: seed.daysAgo })
      .plus({ hours: 9 + ((i * 5) % 9), minutes: (i * 13) % 60 })
      .toMillis();
    // Today's customers came in before now, a few minutes apart.
    const createdAt = Math.min(planned, now - (SEED_CUSTOMERS.length - i) * 7 * 60_000);
    const username = seed.username ?? null;
    const customer = crm.addCustomer({
      full_name: seed.name,
      platform: seed.platform,
      phone_number: seed.phone,
      status: 'need_to_call',
      username,
      assistant_name: seed.assistant ?? null,
      notes: seed.notes ?? null,
      chat_url:
        username && seed.platform === 'instagram'
          ? `https://instagram.com/${username}`
          : username && seed.platform === 'telegram'
            ? `https://t.me/${username}`
            : null,
      customer_type: seed.type === undefined ? (i % 2 === 0 ? 'local' : null) : seed.type,
      conversation_language: seed.language ?? (i % 3 === 0 ? 'ru' : 'uz'),
      created_at: createdAt,
      ...(i % 3 === 0 ? {} : { created_by: ceo?.email }),
    });
    if (seed.recall) customer.recall_time = today.plus({ days: 1 + (i % 3), hours: 10 + (i % 6) }).toMillis();
    const manager = crm.managerOf(customer.id);
    const by = manager?.id ?? ceo?.id ?? null;
    const path = PATHS[seed.status];
    const step = Math.min(2 * DAY, (now - createdAt) / (path.length + 2));
    path.forEach((status, k) => {
      crm.changeStatus({ customer, status, by, at: createdAt + (k + 1) * step });
    });
    (seed.extra ?? []).forEach((text, k) => {
      const [author, note] = text.startsWith('ceo:') ? [ceo, text.slice(4)] : [manager ?? ceo, text];
      const at = createdAt + (k + 1) * Math.min(HOUR, step / 2);
      const id = ++state.sequences.note;
      state.crm.notes.set(id, {
        id,
        customer_id: customer.id,
        note,
        created_by: author?.id ?? null,
        created_at: at,
        updated_at: at,
      });
    });
    if (seed.recording) {
      const fileId = `seed-call-${customer.id}.wav`;
      state.crm.recordings.set(fileId, {
        file_id: fileId,
        customer_id: customer.id,
        blob: recording,
        media_type: 'audio/wav',
        uploaded_at: createdAt,
      });
      customer.audio_file_id = fileId;
    }
    if (seed.archived) {
      customer.archived_at = Math.min(now, createdAt + 3 * DAY);
      customer.updated_at = customer.archived_at;
    }
  });
}
