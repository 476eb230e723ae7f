/**
 * Arabic, the reference catalog of the moderation dashboard: `fr` and `en` must have each of
 * these keys (`satisfies Messages`, and test/dashboard/i18n.test.ts checks it at run time too).
 * Counted messages take the number `n` (for the plural rule) and `s`, the same number already
 * formatted for the moderator's locale.
 */
import type { ErrorMessages } from './types.js';

const rules = new Intl.PluralRules('ar');
const forms = (n: number, f: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }) => f[rules.select(n)] ?? f.other;

const errors = {
  network: 'تعذّر الاتصال بالخادم. تحقّق من اتصالك ثم أعد المحاولة.',
  bad_request: 'طلب غير صالح. أعد تحميل الصفحة.',
  validation_failed: 'طلب غير صالح: بعض القيم خارج الحدود.',
  unauthorized: 'رمز المشرف غير صالح أو أُلغي. سجّل الدخول من جديد.',
  forbidden: 'هذا الرمز لا يسمح بهذا الإجراء أو بهذا الموقع.',
  origin_not_allowed: 'افتح لوحة الإشراف من عنوان الخادم نفسه.',
  not_found: 'غير موجود. لعلّ الخادم أقدم من لوحة الإشراف.',
  site_not_found: 'هذا الموقع غير مسجّل.',
  thread_not_found: 'هذا النقاش غير موجود.',
  comment_not_found: 'هذا التعليق لم يعد موجودًا.',
  thread_closed: 'النقاش مغلق.',
  edit_window_closed: 'انتهت مهلة التعديل.',
  conflict: 'تعارض مع تغيير آخر. حدّث القائمة ثم أعد المحاولة.',
  payload_too_large: 'الطلب أكبر من المسموح.',
  unsupported_media_type: 'صيغة غير مدعومة.',
  rate_limited: 'طلبات كثيرة في وقت قصير. انتظر قليلًا ثم أعد المحاولة.',
  too_many_streams: 'اتصالات تحديث مباشر كثيرة من هذه الشبكة. انتظر قليلًا ثم أعد المحاولة.',
  too_many_attempts: 'رموز خاطئة كثيرة من هذه الشبكة. انتظر بضع دقائق ثم أعد المحاولة.',
  server_busy: 'الخادم مشغول. انتظر قليلًا ثم أعد المحاولة.',
  internal: 'خطأ في الخادم. أعد المحاولة بعد قليل.',
} satisfies ErrorMessages;

export const ar = {
  $dir: 'rtl' as 'rtl' | 'ltr',
  /** The language's own name, for the switcher. */
  $name: 'العربية',
  title: 'تعليق — الإشراف',
  brand: 'تعليق',
  dashboard: 'الإشراف',
  language: 'اللغة',

  // sign-in
  signInHeading: 'الدخول إلى لوحة الإشراف',
  tokenLabel: 'رمز المشرف',
  tokenHint: 'رمز يبدأ بـ tq_، يعطيه الأمر taliq tokens create. يبقى في هذه النافذة فقط حتى تغلقها أو تخرج.',
  signIn: 'دخول',
  signingIn: 'جارٍ التحقق…',
  tokenRequired: 'الصق رمز المشرف.',
  tokenInvalid: 'هذا الرمز غير صالح أو أُلغي.',
  signOut: 'خروج',
  signedOut: 'خرجت من لوحة الإشراف.',
  noSites: 'لا يتيح هذا الرمز أي موقع.',

  // queues
  site: 'الموقع',
  role: 'الدور',
  roles: { owner: 'مالك', moderator: 'مشرف' },
  queues: 'قوائم الإشراف',
  statuses: {
    pending: 'بانتظار المراجعة',
    flagged: 'مُبلَّغ عنها',
    approved: 'منشورة',
    rejected: 'مرفوضة',
    spam: 'رسائل مزعجة',
    deleted: 'محذوفة',
  },
  search: 'بحث',
  searchPlaceholder: 'في النص أو اسم الكاتب',
  clearSearch: 'مسح البحث',
  refresh: 'تحديث',
  newComments: 'وصلت تعليقات جديدة. اعرضها',
  loading: 'جارٍ التحميل…',
  loadError: 'تعذّر تحميل التعليقات.',
  retry: 'إعادة المحاولة',
  more: 'تحميل المزيد',
  loadingMore: 'جارٍ تحميل المزيد…',
  empty: {
    pending: 'لا شيء بانتظار المراجعة.',
    flagged: 'لا بلاغات.',
    approved: 'لا تعليقات منشورة بعد.',
    rejected: 'لا تعليقات مرفوضة.',
    spam: 'لا رسائل مزعجة.',
  },
  noResults: 'لا نتائج لهذا البحث.',
  comments: (n: number, s = String(n)) =>
    forms(n, { zero: 'لا تعليقات', one: 'تعليق واحد', two: 'تعليقان', few: `${s} تعليقات`, many: `${s} تعليقًا`, other: `${s} تعليق` }),

  // one comment
  select: 'تحديد',
  selectAll: 'تحديد الكل',
  selected: (n: number, s = String(n)) =>
    forms(n, { zero: 'لم يُحدَّد شيء', one: 'حُدِّد تعليق واحد', two: 'حُدِّد تعليقان', few: `حُدِّدت ${s} تعليقات`, many: `حُدِّد ${s} تعليقًا`, other: `حُدِّد ${s} تعليق` }),
  email: 'البريد',
  reader: 'معرّف القارئ',
  article: 'المقال',
  untitled: 'مقال بلا عنوان',
  inReplyTo: 'ردًّا على',
  reports: (n: number, s = String(n)) =>
    forms(n, { zero: 'لا بلاغات', one: 'بلاغ واحد', two: 'بلاغان', few: `${s} بلاغات`, many: `${s} بلاغًا`, other: `${s} بلاغ` }),
  links: (n: number, s = String(n)) =>
    forms(n, { zero: 'بلا روابط', one: 'رابط واحد', two: 'رابطان', few: `${s} روابط`, many: `${s} رابطًا`, other: `${s} رابط` }),
  reasonsLabel: 'سبب الإحالة',
  reasons: {
    premoderation: 'مراجعة مسبقة',
    banned_word: 'كلمة محظورة',
    suspect_word: 'كلمة مشبوهة',
    links: 'روابط',
    reports: 'بلاغات القرّاء',
    new_reader: 'قارئ جديد',
    banned_reader: 'قارئ محظور',
    spam_signal: 'مؤشرات رسائل مزعجة',
  },
  edited: 'معدَّل',
  /** Between a reason and its detail, e.g. the matched word. */
  detailSep: ': ',

  // actions
  actions: 'إجراءات',
  approve: 'قبول',
  reject: 'رفض',
  spam: 'مزعج',
  restore: 'إعادة إلى المراجعة',
  ban: 'حظر الكاتب',
  done: {
    approve: (n: number, s = String(n)) => forms(n, { one: 'قُبل التعليق.', two: 'قُبل التعليقان.', few: `قُبلت ${s} تعليقات.`, many: `قُبل ${s} تعليقًا.`, other: `قُبل ${s} تعليق.` }),
    reject: (n: number, s = String(n)) => forms(n, { one: 'رُفض التعليق.', two: 'رُفض التعليقان.', few: `رُفضت ${s} تعليقات.`, many: `رُفض ${s} تعليقًا.`, other: `رُفض ${s} تعليق.` }),
    spam: (n: number, s = String(n)) =>
      forms(n, { one: 'عُدّ التعليق رسالة مزعجة.', two: 'عُدّ التعليقان رسائل مزعجة.', few: `عُدّت ${s} تعليقات رسائل مزعجة.`, many: `عُدّ ${s} تعليقًا رسائل مزعجة.`, other: `عُدّ ${s} تعليق رسائل مزعجة.` }),
    restore: (n: number, s = String(n)) =>
      forms(n, { one: 'أُعيد التعليق إلى المراجعة.', two: 'أُعيد التعليقان إلى المراجعة.', few: `أُعيدت ${s} تعليقات إلى المراجعة.`, many: `أُعيد ${s} تعليقًا إلى المراجعة.`, other: `أُعيد ${s} تعليق إلى المراجعة.` }),
  },
  failed: 'لم يُنفَّذ الإجراء، وأُعيد التعليق إلى القائمة:',

  // ban dialog
  banTitle: 'حظر الكاتب',
  banWho: 'سيُحظر القارئ صاحب هذا التعليق:',
  banShadow: 'حظر خفي: يبقى الكاتب يرى تعليقاته، ولا يراها غيره',
  banNetwork: 'هذه الشبكة أيضًا: رفض كل قارئ يكتب من آخر عنوان استعمله هذا الكاتب',
  banNetworkWarning: 'انتبه: كثير من القرّاء على الهاتف يتقاسمون عنوانًا واحدًا لدى شركة الاتصالات، وسيُحظرون جميعًا معه. لا تستعمله إلا مع من يعود مرة بعد مرة بأسماء جديدة.',
  banNoAddress: 'لا يُعرف لهذا الكاتب عنوان حديث (آخر تعليق له مضى عليه أكثر من 30 يومًا): احظر القارئ وحده.',
  banDuration: 'المدة',
  durations: { day: 'يوم واحد', week: 'سبعة أيام', month: 'ثلاثون يومًا', forever: 'دائم' },
  banReason: 'السبب (اختياري، يُحفظ في السجلّ)',
  banConfirm: 'حظر',
  banning: 'جارٍ الحظر…',
  cancel: 'إلغاء',
  banned: 'حُظر الكاتب.',
  shadowBanned: 'حُظر الكاتب حظرًا خفيًا.',
  noReader: 'لا يمكن حظر هذا الكاتب: لا معرّف له.',

  // keyboard
  shortcuts: 'اختصارات لوحة المفاتيح',
  keys: {
    move: 'التنقل',
    approve: 'قبول',
    reject: 'رفض',
    spam: 'مزعج',
    toggle: 'تحديد',
    search: 'بحث',
  },
  errors,
};

/** The shape every catalog has; `ar` defines it. */
export type Messages = typeof ar;
