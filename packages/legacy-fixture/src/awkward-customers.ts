import type { LegacyAudioFile, LegacyCustomerStatus, LegacyLanguage } from './facts.js';
import { mp3Bytes, oggOpusBytes } from './media.js';
import { CUSTOM_STATUS } from './reference-data.js';

/** Telegram file ids of call recordings (voice notes are OGG/Opus, uploaded audio is MP3). */
const VOICE_FILE_ID = 'AwACAgIAAxkBAAIBZ2cK9fVh3m1Ql0xW8dJr2aLq4nBvAAJrSAAC1Yh5S7xkD9m3c2FgNgQ';
const VOICE_FILE_ID_2 = 'AwACAgIAAxkBAAICA2cL1kR0f8m2Qw4pXy7ZbN3uVt5KAAKcTQAC9fJxSzqP0e1aR6bYNgQ';
const MP3_FILE_ID = 'CQACAgIAAxkBAAICB2cMa81oP3s9Tq2wLr6Xy0vHf4GjAAJ9UQACk2tJS4nZs7Bq1kXeNgQ';

/** The bytes behind each file id, as the Bot API would serve them. */
export const AWKWARD_AUDIO: Record<string, LegacyAudioFile> = {
  [VOICE_FILE_ID]: { bytes: oggOpusBytes(0x1001), filePath: 'voice/file_12.oga', mimeType: 'audio/ogg' },
  [VOICE_FILE_ID_2]: { bytes: oggOpusBytes(0x1002), filePath: 'voice/file_13.oga', mimeType: 'audio/ogg' },
  [MP3_FILE_ID]: { bytes: mp3Bytes(0x33), filePath: 'music/file_4.mp3', mimeType: 'audio/mpeg' },
};

/** One awkward customer as the generator writes it. */
export interface CustomerSpec {
  key: string;
  fullName: string;
  phoneNumber: string;
  platform: string;
  username?: string;
  status: LegacyCustomerStatus;
  statusName: string | null;
  type: 'local' | 'international' | null;
  language: LegacyLanguage;
  /** Naive Tashkent wall clock. */
  createdAt: string;
  /** Naive UTC. */
  recallTime?: string;
  isArchived: boolean | null;
  audioFileId?: string;
  notes?: string;
}

/** Exactly 300 characters: over the 255 a sane schema allows, under what fits varchar(500) once encrypted. */
const LONG_NAME = 'Abdulazizxon Abdurahmonov '.repeat(12).slice(0, 300);
/** Exactly 100 characters. */
const LONG_PLATFORM =
  'Referral from the Tashkent IT Park partner event (spring 2026), booth 14, second day, via a flyer QR';
/** Exactly 40 characters. */
const LONG_PHONE = '+998 90 123 45 67, +998 91 765 43 21 ish';

/** The awkward customers, in insertion order. */
export const AWKWARD_CUSTOMERS: CustomerSpec[] = [
  {
    key: 'tashkentDayStart',
    fullName: 'Aziz Karimov',
    phoneNumber: '+998901234567',
    platform: 'Telegram',
    username: '@aziz_karimov',
    status: 'contacted',
    statusName: 'contacted',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-03-01 00:30:00',
    recallTime: '2026-03-02 05:00:00',
    isArchived: null,
    audioFileId: VOICE_FILE_ID,
    notes: 'Veb-sayt kerak, byudjet 2000$ atrofida.',
  },
  {
    key: 'tashkentDayEnd',
    fullName: 'Нилуфар Рашидова',
    phoneNumber: '+998935557799',
    platform: 'Instagram',
    username: 'nilufar.r',
    status: 'need_to_call',
    statusName: null,
    type: null,
    language: 'RU',
    createdAt: '2026-02-28 23:59:00',
    isArchived: false,
    notes: 'Перезвонить после обеда',
  },
  {
    key: 'newYearMidnight',
    fullName: 'Ўткир Ҳамдамов',
    phoneNumber: '+998 (97) 111-22-33',
    platform: 'Website',
    status: 'project_started',
    statusName: 'project_started',
    type: 'international',
    language: 'EN',
    createdAt: '2026-01-01 00:00:00',
    isArchived: true,
  },
  {
    key: 'uzbekLatinName',
    fullName: 'Gʻayrat Oʻktamov Shoʻxrux oʻgʻli',
    phoneNumber: '+998991234567',
    platform: 'Instagram DM',
    status: 'continuing',
    statusName: 'continuing',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-02-14 14:05:09',
    isArchived: false,
  },
  {
    key: 'emojiName',
    fullName: 'Лола 🌸 Ахмедова 👩‍💻',
    phoneNumber: '+7 916 123-45-67',
    platform: 'WhatsApp',
    status: 'finished',
    statusName: 'finished',
    type: 'international',
    language: 'EN',
    createdAt: '2025-11-20 09:15:00',
    isArchived: null,
    audioFileId: VOICE_FILE_ID_2,
  },
  {
    key: 'longName',
    fullName: LONG_NAME,
    phoneNumber: '+998977777777',
    platform: LONG_PLATFORM,
    status: 'rejected',
    statusName: 'rejected',
    type: null,
    language: 'UZ',
    createdAt: '2026-03-10 18:45:00',
    isArchived: null,
  },
  {
    key: 'phoneText',
    fullName: 'Sherzod',
    phoneNumber: 'call me',
    platform: 'Phone call',
    status: 'need_to_call',
    statusName: 'need_to_call',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-03-11 10:00:00',
    recallTime: '2026-03-11 06:00:00',
    isArchived: false,
  },
  {
    key: 'phoneTooLong',
    fullName: 'Kamola Ismoilova',
    phoneNumber: LONG_PHONE,
    platform: 'Telegram',
    status: 'contacted',
    statusName: null,
    type: null,
    language: 'RU',
    createdAt: '2026-03-12 12:00:00',
    isArchived: null,
  },
  {
    key: 'customStatus',
    fullName: 'Timur Sultanov',
    phoneNumber: '+998946661122',
    platform: 'Telegram',
    status: 'continuing',
    statusName: CUSTOM_STATUS.name,
    type: 'international',
    language: 'EN',
    createdAt: '2026-04-01 16:30:00',
    isArchived: false,
    audioFileId: MP3_FILE_ID,
    notes: 'Invoice #2026-041 sent',
  },
  {
    key: 'customStatusArchived',
    fullName: 'Madina Qosimova',
    phoneNumber: '+998951112233',
    platform: 'Instagram',
    status: 'contacted',
    statusName: CUSTOM_STATUS.name,
    type: 'local',
    language: 'UZ',
    createdAt: '2026-04-02 08:00:00',
    isArchived: true,
  },
  {
    // A row an old code path wrote with Python's str(CustomerStatus.contacted); the legacy API shows "contacted".
    key: 'statusNameEnumRepr',
    fullName: 'Bobur Alimov',
    phoneNumber: '+998909998877',
    platform: 'telegram',
    status: 'need_to_call',
    statusName: 'CustomerStatus.contacted',
    type: null,
    language: 'UZ',
    createdAt: '2025-12-20 20:20:20',
    isArchived: null,
  },
  {
    // Dynamic status changes do not touch the enum, so the two disagree; the dynamic one wins.
    key: 'statusDisagrees',
    fullName: 'Zarina Tursunova',
    phoneNumber: '+998931234000',
    platform: 'Website',
    status: 'rejected',
    statusName: 'contacted',
    type: 'local',
    language: 'RU',
    createdAt: '2026-01-15 11:11:11',
    isArchived: false,
  },
  {
    // recall_time is UTC: 19:30 UTC is already the next day (00:30) in Tashkent.
    key: 'recallNextDayTashkent',
    fullName: 'Davron Yoqubov',
    phoneNumber: '+998901110000',
    platform: 'Telegram',
    status: 'need_to_call',
    statusName: 'need_to_call',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-02-27 12:00:00',
    recallTime: '2026-03-01 19:30:00',
    isArchived: null,
  },
  {
    // The legacy PUT writes empty strings (its PATCH ignores them): an encrypted empty name and phone.
    key: 'emptyNameAndPhone',
    fullName: '',
    phoneNumber: '',
    platform: 'Telegram',
    username: '',
    status: 'contacted',
    statusName: 'contacted',
    type: null,
    language: 'UZ',
    createdAt: '2026-03-15 15:00:00',
    isArchived: null,
    notes: '',
  },
];
