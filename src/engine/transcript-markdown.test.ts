import { describe, expect, it } from 'vitest';
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, TranscriptEntry } from '../session/session-types.ts';
import { renderSummaryMarkdown, renderTranscriptMarkdown } from './transcript-markdown.ts';

const summary = {
  decisions: ['做一个毛毡灯原型'],
  splits: [],
  openQuestions: [],
  nextSteps: [],
  takeaways: [{ name: '巴雅尔', takeaway: '尊重手艺' }],
  designCard: { name: '暖光', form: '圆形灯罩', elements: ['毛毡', '红色羊毛'], functions: ['阅读'], targetUsers: '学生', meaning: '家的温暖' },
};
const panel = { name: '设计工作坊', personas: [{ displayName: '巴雅尔', roleTitle: '手艺人' }] } as unknown as Panel;
const meta = { sessionId: 'terminal:c:t', topic: '蒙古族剪纸文创产品设计', starter: { id: 'u', displayName: '小雅' }, createdAt: 0, tokensPrompt: 1, tokensCompletion: 2, modelCalls: 3, language: 'zh' } as SessionMeta;
const entries: TranscriptEntry[] = [
  { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: '欢迎', at: 0, stage: 'opening', round: 0 },
  { kind: 'person', speakerId: 'u', speakerName: '小雅', text: '价格呢？', at: 0, stage: 'paused', round: 1 },
];

describe('transcript Markdown in the session’s language', () => {
  it('writes the summary’s headings in Chinese, and keeps English by default', () => {
    const chinese = renderSummaryMarkdown(summary, ['毛毡', '红色'], 'zh');
    expect(chinese).toContain('**圆桌总结**');
    expect(chinese).toContain('**投票选出的关键词：** 毛毡、红色');
    expect(chinese).toContain('- 关键元素：毛毡、红色羊毛');
    expect(chinese).toContain('**待解决的问题**\n- （无）');
    expect(renderSummaryMarkdown(summary, [])).toContain('**Voted keywords:** (no vote passed)');
  });

  it('writes the file’s headings and speaker labels in Chinese, the summary title once', () => {
    const markdown = renderTranscriptMarkdown(meta, panel, entries, renderSummaryMarkdown(summary, [], 'zh'));
    expect(markdown).toContain('# 圆桌讨论：蒙古族剪纸文创产品设计');
    expect(markdown).toContain('## 完整记录');
    expect(markdown).toContain('**主持人** · opening · 第 0 轮');
    expect(markdown).toContain('**小雅（参与者）**');
    expect(markdown).not.toContain('**圆桌总结**');
    // A summary written in English (before the closing step passes the language) loses its title too.
    expect(renderTranscriptMarkdown(meta, panel, entries, renderSummaryMarkdown(summary, []))).not.toContain('**Closing summary**');
  });
});
