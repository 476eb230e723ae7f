/**
 * Arabic, the reference catalog: every other language must have each of these keys
 * (`satisfies Messages`, and test/widget/i18n.test.ts checks it at run time too).
 * Counted messages take the number `n` (for the plural rule) and `s`, the same number already
 * formatted for the reader's language tag (digits follow the tag, not the catalog).
 */
import type { ErrorMessages } from './types.js';

// Made on first use, not when taliq.js loads: a page's first Intl object costs milliseconds.
let rules: Intl.PluralRules | undefined;
const forms = (n: number, f: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }) =>
  f[(rules ??= new Intl.PluralRules('ar')).select(n)] ?? f.other;
/** "N characters" with the six Arabic plural forms. */
const chars = (n: number, s: string) =>
  forms(n, { one: 'حرف واحد', two: 'حرفان', few: `${s} أحرف`, many: `${s} حرفًا`, other: `${s} حرف` });

const closed = 'أُغلق باب التعليق على هذا المقال.';

const errors = {
  network: 'تعذّر الاتصال بخادم التعليقات. تحقّق من اتصالك ثم أعد المحاولة.',
  validation_failed: 'راجِع الحقول المُشار إليها.',
  unauthorized: 'يلزم تسجيل الدخول.',
  forbidden: 'غير مسموح.',
  origin_not_allowed: 'هذه الصفحة غير مسجّلة لدى خدمة التعليقات.',
  not_found: 'هذا التعليق أو النقاش غير موجود.',
  thread_closed: closed,
  edit_window_closed: 'انتهت مهلة تعديل التعليق.',
  rate_limited: 'طلبات كثيرة في وقت قصير. انتظر قليلًا ثم أعد المحاولة.',
  internal: 'خطأ في خادم التعليقات. أعد المحاولة بعد قليل.',
} satisfies ErrorMessages;

export const ar = {
  heading: 'التعليقات',
  comments: (n: number, s = String(n)) =>
    forms(n, {
      zero: 'لا تعليقات',
      one: 'تعليق واحد',
      two: 'تعليقان',
      few: `${s} تعليقات`,
      many: `${s} تعليقًا`,
      other: `${s} تعليق`,
    }),
  nameLabel: 'الاسم',
  bodyLabel: 'تعليقك',
  send: 'نشر التعليق',
  sending: 'جارٍ النشر…',
  remaining: (n: number, s = String(n)) => (n === 0 ? 'لم يبقَ أي حرف' : `بقي ${chars(n, s)}`),
  nameRequired: 'اكتب اسمك.',
  nameTooLong: (n: number, s = String(n)) => `الاسم أطول من المسموح: ${chars(n, s)} على الأكثر.`,
  bodyRequired: 'اكتب تعليقك قبل النشر.',
  bodyTooLong: (n: number, s = String(n)) => `التعليق أطول من المسموح: ${chars(n, s)} على الأكثر.`,
  draftKept: 'نصّك محفوظ هنا.',
  pending: 'بانتظار المراجعة',
  postedPending: 'وصل تعليقك، وسيظهر للجميع بعد المراجعة.',
  postedApproved: 'نُشر تعليقك.',
  loading: 'جارٍ تحميل التعليقات…',
  empty: 'لا تعليقات بعد. كن أول من يعلّق',
  loadError: 'تعذّر تحميل التعليقات.',
  retry: 'إعادة المحاولة',
  more: 'عرض مزيد من التعليقات',
  loadingMore: 'جارٍ تحميل مزيد من التعليقات…',
  verified: 'حساب موثّق',
  edited: 'معدَّل',
  closed,
  sort: 'الترتيب',
  sorts: { newest: 'الأحدث', oldest: 'الأقدم', popular: 'الأكثر إعجابًا' },
  /** N comments that arrived while the page was open, on the button that shows them. */
  fresh: (n: number, s = String(n)) =>
    forms(n, {
      one: 'تعليق جديد',
      two: 'تعليقان جديدان',
      few: `${s} تعليقات جديدة`,
      many: `${s} تعليقًا جديدًا`,
      other: `${s} تعليق جديد`,
    }),
  reply: 'ردّ',
  replyLabel: 'ردّك',
  /** Followed by the name of the author answered. */
  replyTo: 'ردًا على',
  /** The button that shows the replies folded away. */
  moreReplies: (n: number, s = String(n)) =>
    forms(n, { one: 'عرض ردّ واحد', two: 'عرض ردّين', few: `عرض ${s} ردود`, many: `عرض ${s} ردًّا`, other: `عرض ${s} ردّ` }),
  cancel: 'إلغاء',
  like: 'أعجبني',
  dislike: 'لم يعجبني',
  edit: 'تعديل',
  save: 'حفظ التعديل',
  saved: 'حُفظ التعديل.',
  delete: 'حذف',
  confirmDelete: 'حذف هذا التعليق نهائيًا؟',
  deleted: 'حُذف تعليقك.',
  report: 'إبلاغ',
  reportReason: 'سبب الإبلاغ',
  /** Report reasons, in the order offered: the keys are the API's. */
  reasons: { spam: 'رسائل مزعجة', abuse: 'إساءة', 'off-topic': 'خارج الموضوع', other: 'سبب آخر' },
  reportNote: 'ملاحظة (اختيارية)',
  reported: 'شكرًا، سيراجع المشرفون هذا التعليق.',
  /** Followed by the signed-in reader's name. */
  signedInAs: 'سجّلت الدخول باسم',
  errors,
};

/** The shape every catalog has; `ar` defines it. */
export type Messages = typeof ar;
